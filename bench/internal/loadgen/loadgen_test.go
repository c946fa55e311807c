package loadgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func TestMixSharesAreExact(t *testing.T) {
	mix := Mix{Slow: 0.10, Hang: 0.05, Fail: 0.02}
	counts := map[Behaviour]int{}
	for i := range 10000 {
		counts[mix.Of(i)]++
	}
	want := map[Behaviour]int{Slow: 1000, Hang: 500, Fail: 200, Fast: 8300}
	for b, n := range want {
		if d := counts[b] - n; d < -1 || d > 1 {
			t.Errorf("%d %s targets of 10,000, want %d", counts[b], b, n)
		}
	}
	// Any stretch of targets holds about the shares too.
	hang := 0
	for i := 5000; i < 5100; i++ {
		if mix.Of(i) == Hang {
			hang++
		}
	}
	if hang < 4 || hang > 6 {
		t.Errorf("%d hanging targets among 100 consecutive ones, want about 5", hang)
	}
}

func TestTargetsAnswerByBehaviourAndStop(t *testing.T) {
	mix := Mix{Hang: 0.5, Fail: 0.5} // 0 hangs (u = 0); find a failing one
	s := New(10, mix)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	failing := -1
	for i := range 10 {
		if mix.Of(i) == Fail {
			failing = i
			break
		}
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(i int, timeout time.Duration) (int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/t/"+strconv.Itoa(i), nil)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	if code, err := get(failing, time.Second); err != nil || code != http.StatusServiceUnavailable {
		t.Errorf("failing target: %d %v, want 503", code, err)
	}
	if _, err := get(0, 50*time.Millisecond); err == nil {
		t.Error("hanging target answered")
	}
	post := func(path string) int {
		resp, err := client.Post(srv.URL+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/control/stop?from=0&to=10&mode=refuse"); code != http.StatusOK {
		t.Fatalf("stop: %d", code)
	}
	if code, err := get(failing, time.Second); err == nil {
		t.Errorf("stopped target answered %d", code)
	}
	post("/control/start?from=0&to=10")
	if code, err := get(failing, time.Second); err != nil || code != http.StatusServiceUnavailable {
		t.Errorf("started again: %d %v, want its 503 back", code, err)
	}
	if code := post("/control/stop?from=5&to=11"); code != http.StatusBadRequest {
		t.Errorf("stop beyond the targets: %d, want 400", code)
	}
	if st := s.Stats(0); st.Requests != 4 || st.Gaps != 2 {
		t.Errorf("stats %+v: want 4 requests, 2 gaps (target %d asked three times)", st, failing)
	}
}

func TestStatsOnSchedule(t *testing.T) {
	s := New(2, Mix{})
	start := time.Unix(1000, 0)
	for k := range 5 {
		s.count(0, start.Add(time.Duration(k)*10*time.Second))
	}
	s.count(1, start)
	s.count(1, start.Add(20*time.Second)) // a turn missed
	st := s.Stats(10 * time.Second)
	if st.Gaps != 5 || st.OnSchedule != 0.8 {
		t.Errorf("stats %+v: want 5 gaps, 4 of them on schedule", st)
	}
}
