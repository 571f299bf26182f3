module castbridge.local/loadgen

go 1.19
