package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// fakeProc writes /proc-like entries: pid → (ppid, cmdline, VmHWM in kB).
func fakeProc(t *testing.T, procs map[int]struct {
	ppid  int
	cmd   string
	hwmKB int
}) string {
	t.Helper()
	dir := t.TempDir()
	for pid, p := range procs {
		d := filepath.Join(dir, strconv.Itoa(pid))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		stat := strconv.Itoa(pid) + " (chrome (x) y) S " + strconv.Itoa(p.ppid) + " 1 1 0 -1\n"
		status := "Name:\tchromium\nVmPeak:\t 99999999 kB\nVmHWM:\t" + strconv.Itoa(p.hwmKB) + " kB\n"
		for name, body := range map[string]string{"stat": stat, "cmdline": p.cmd, "status": status} {
			if err := os.WriteFile(filepath.Join(d, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "loadavg"), []byte("1 2 3"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRendererPeakRSSTakesTheBrowsersOwnRenderers(t *testing.T) {
	type p = struct {
		ppid  int
		cmd   string
		hwmKB int
	}
	dir := fakeProc(t, map[int]p{
		100: {1, "chromium\x00--headless", 900000},                // the browser itself: not a renderer
		101: {100, "chromium\x00--type=zygote", 800000},           // zygote
		102: {101, "chromium\x00--type=renderer\x00--x", 300000},  // renderer under the zygote
		103: {101, "chromium\x00--type=renderer", 450000},         // the busiest renderer
		104: {100, "chromium\x00--type=gpu-process", 700000},      // not a renderer
		200: {1, "chromium\x00--type=renderer", 5000000},          // another browser's renderer
		201: {200, "chromium\x00--type=renderer\x00--y", 6000000}, // ditto
	})
	if got, want := rendererPeakRSS(dir, 100), int64(450000*1024); got != want {
		t.Errorf("peak %d, want %d", got, want)
	}
	if got := rendererPeakRSS(dir, 0); got != 0 {
		t.Errorf("no browser process: %d, want 0", got)
	}
	if got := rendererPeakRSS(filepath.Join(dir, "absent"), 100); got != 0 {
		t.Errorf("no /proc: %d, want 0", got)
	}
}

func TestParentPIDReadsPastTheCommandName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stat")
	if err := os.WriteFile(path, []byte("42 (a) b (c)) R 7 42 42 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ppid, ok := parentPID(path); !ok || ppid != 7 {
		t.Errorf("parentPID = %d, %v; want 7, true", ppid, ok)
	}
}
