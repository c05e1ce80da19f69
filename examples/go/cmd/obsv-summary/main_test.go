package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	obsv "github.com/obsv-dev/obsv/examples/go"
)

func TestSummarize(t *testing.T) {
	body := []byte(`# TYPE a_total counter
a_total{x="1"} 1
a_total{x="2"} 2 1700000000000
# TYPE h histogram
h_bucket{le="1"} 1
h_bucket{le="+Inf"} 2
h_count 2
h_sum 3
no_type 5
no_type 6
`)
	want := Summary{
		Families: 3,
		ByType:   map[string]int{"counter": 1, "histogram": 1, "unknown": 1},
		Series:   7,
		Samples:  8,
		WithTS:   1,
	}
	opts := obsv.DefaultOptions()
	opts.Format = obsv.FormatText
	for _, chunk := range []int{0, 1, 7, 64} {
		got, f, err := summarize(body, opts, chunk)
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		if f != obsv.FormatText {
			t.Errorf("chunk %d: format %v", chunk, f)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("chunk %d: got %+v, want %+v", chunk, got, want)
		}
	}
}

func TestSummarizeCorpus(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "tests", "testdata", "corpus", "python_client.om.txt"))
	if err != nil {
		t.Fatal(err)
	}
	whole, f, err := summarize(body, obsv.DefaultOptions(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if f != obsv.FormatOpenMetrics || whole.Samples != 64 || whole.Exemplars == 0 {
		t.Errorf("python_client.om.txt: %v %+v", f, whole)
	}
	// A first chunk of 100 bytes cannot tell OpenMetrics from text: main()
	// detects the format on the whole file before feeding it in chunks.
	opts := obsv.DefaultOptions()
	opts.Format = obsv.DetectFormat(body)
	chunked, _, err := summarize(body, opts, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(whole, chunked) {
		t.Errorf("chunked %+v != whole %+v", chunked, whole)
	}
}

func TestSummarizeError(t *testing.T) {
	_, _, err := summarize([]byte("a 1\nb{ 2\n"), obsv.DefaultOptions(), 3)
	oe, ok := err.(*obsv.Error)
	if !ok || oe.Line != 2 {
		t.Fatalf("got %v, want an *obsv.Error on line 2", err)
	}
}
