package loadgen

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// ChildFlag is the flag with which a benchmark runs its own executable
// again as its load generator: in a process of its own, so that the
// targets' CPU and memory are not counted as the benchmark's.
const ChildFlag = "loadgen-child"

// ServeChild is the child's work: it serves n targets of mix on a free
// loopback port, says where on its first line of output, and serves until
// killed.
func ServeChild(n int, mix Mix) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("loadgen: %d targets on http://%s\n", n, ln.Addr())
	log.Fatal(New(n, mix).Serve(ln))
}

// StartChild runs the calling executable again with -loadgen-child and its
// -n, -slow, -hang and -fail flags set to n and mix, which it must read and
// hand to ServeChild; it returns the child's base URL and how to stop it.
func StartChild(n int, mix Mix) (base string, stop func(), err error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self, "-"+ChildFlag, fmt.Sprint("-n=", n),
		fmt.Sprint("-slow=", mix.Slow), fmt.Sprint("-hang=", mix.Hang), fmt.Sprint("-fail=", mix.Fail))
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start the load generator: %w", err)
	}
	stop = func() { cmd.Process.Kill(); cmd.Wait() }
	line, err := bufio.NewReader(out).ReadString('\n')
	if _, url, ok := strings.Cut(strings.TrimSpace(line), " on "); err == nil && ok {
		go io.Copy(io.Discard, out)
		return url, stop, nil
	}
	stop()
	return "", nil, fmt.Errorf("the load generator said %q: %v", line, err)
}
