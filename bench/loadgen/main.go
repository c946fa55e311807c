// Command loadgen serves targets for the monitoring benchmarks on loopback:
//
//	go run ./bench/loadgen -n 10000 -slow 0.10 -hang 0.05 -fail 0.0 -addr 127.0.0.1:0
//
// Target i answers at http://ADDR/t/{i}: fast, slow (1 s), hanging until
// the client gives up, or failing (503), chosen by i (see
// bench/internal/loadgen). With -tcp every target also gets a TCP port
// (GET /control/tcp lists them). Stop a range to measure outage detection:
//
//	curl -X POST 'http://ADDR/control/stop?from=0&to=100'   # mode=refuse|hang|fail
//	curl -X POST 'http://ADDR/control/start?from=0&to=100'
//	curl 'http://ADDR/control/stats?interval=30s'
//
// The first line on stdout is "loadgen: N targets on http://ADDR".
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"

	"yeonsok/bench/internal/loadgen"
)

func main() {
	n := flag.Int("n", 10000, "number of targets")
	slow := flag.Float64("slow", 0.10, "share of targets that answer after 1 s")
	hang := flag.Float64("hang", 0.05, "share of targets that never answer")
	fail := flag.Float64("fail", 0, "share of targets that answer 503")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	tcp := flag.Bool("tcp", false, "also open a TCP port per target")
	flag.Parse()
	if err := run(*n, loadgen.Mix{Slow: *slow, Hang: *hang, Fail: *fail}, *addr, *tcp); err != nil {
		log.Fatal(err)
	}
}

func run(n int, mix loadgen.Mix, addr string, tcp bool) error {
	if n < 1 || mix.Slow < 0 || mix.Hang < 0 || mix.Fail < 0 || mix.Slow+mix.Hang+mix.Fail > 1 {
		return fmt.Errorf("loadgen: want n ≥ 1 and shares ≥ 0 adding up to at most 1")
	}
	s := loadgen.New(n, mix)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	if tcp {
		host, _, _ := net.SplitHostPort(ln.Addr().String())
		if err := s.ServeTCP(host); err != nil {
			return err
		}
	}
	fmt.Printf("loadgen: %d targets on http://%s\n", n, ln.Addr())
	os.Stdout.Sync()
	return s.Serve(ln)
}
