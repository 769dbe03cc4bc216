package chdb

import (
	"syscall"
	"unsafe"
)

// kernelSigaction is the kernel's struct sigaction on Linux (what the
// rt_sigaction system call reads and writes, and what the Go runtime installs).
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// savedSignals holds the handler of every signal that can have one.
type savedSignals map[int]kernelSigaction

// ownedByLibc are the signals glibc keeps for itself (thread cancellation and
// set*id); they are left alone.
func ownedByLibc(sig int) bool { return sig == 32 || sig == 33 }

func saveSignalHandlers() savedSignals {
	saved := savedSignals{}
	for sig := 1; sig <= 64; sig++ {
		if sig == int(syscall.SIGKILL) || sig == int(syscall.SIGSTOP) || ownedByLibc(sig) {
			continue
		}
		var old kernelSigaction
		if rtSigaction(sig, nil, &old) == nil {
			saved[sig] = old
		}
	}
	return saved
}

func restoreSignalHandlers(saved savedSignals) {
	for sig, act := range saved {
		_ = rtSigaction(sig, &act, nil)
	}
}

func rtSigaction(sig int, act, old *kernelSigaction) error {
	_, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig),
		uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), unsafe.Sizeof(uint64(0)), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
