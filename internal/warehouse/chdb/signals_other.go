//go:build !linux

package chdb

// savedSignals is empty where chDB is not built (libchdb is Linux-only).
type savedSignals struct{}

func saveSignalHandlers() savedSignals { return savedSignals{} }

func restoreSignalHandlers(savedSignals) {}
