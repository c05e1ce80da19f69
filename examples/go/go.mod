module github.com/obsv-dev/obsv/examples/go

go 1.24
