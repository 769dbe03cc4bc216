package main

import (
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile of the whole run to the file named
// by PILOTPULSE_CPU_PROFILE, when set (a developer's hook: cmd/bench-ingest
// -cpuprofile profiles the serve process with it). The returned func ends
// the profile.
func startCPUProfile(getenv func(string) string) func() {
	path := getenv("PILOTPULSE_CPU_PROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
