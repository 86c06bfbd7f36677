package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// rendererPeakRSS is the largest peak resident set (VmHWM in
// /proc/PID/status) among the renderer processes under the browser process
// root: the process that runs the page and its workers, wasm memory
// included. It reads Linux's /proc and answers 0 where that is missing.
func rendererPeakRSS(procDir string, root int) int64 {
	if root <= 0 {
		return 0
	}
	parents := map[int]int{}
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return 0
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, ok := parentPID(filepath.Join(procDir, e.Name(), "stat")); ok {
			parents[pid] = ppid
		}
	}
	var peak int64
	for pid := range parents {
		if !descends(parents, pid, root) {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join(procDir, strconv.Itoa(pid), "cmdline"))
		if err != nil || !strings.Contains(string(cmd), "--type=renderer") {
			continue
		}
		if hwm := statusKB(filepath.Join(procDir, strconv.Itoa(pid), "status"), "VmHWM:"); hwm*1024 > peak {
			peak = hwm * 1024
		}
	}
	return peak
}

// parentPID reads the fourth field of /proc/PID/stat. The second field, the
// command name in parentheses, may hold spaces, so parsing starts after the
// last ')'.
func parentPID(statPath string) (int, bool) {
	b, err := os.ReadFile(statPath)
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(f[1])
	return ppid, err == nil
}

// descends reports whether pid is root or one of its descendants.
func descends(parents map[int]int, pid, root int) bool {
	for steps := 0; steps < 64 && pid > 0; steps++ {
		if pid == root {
			return true
		}
		pid = parents[pid]
	}
	return false
}

// statusKB reads a "Key:  123 kB" line of /proc/PID/status.
func statusKB(path, key string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
			fields := strings.Fields(rest)
			if len(fields) > 0 {
				n, _ := strconv.ParseInt(fields[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// loadAverage is the first three fields of /proc/loadavg ("" if absent).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
