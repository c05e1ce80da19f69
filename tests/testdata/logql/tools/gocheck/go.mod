module obsv.local/logqlgocheck

go 1.21
