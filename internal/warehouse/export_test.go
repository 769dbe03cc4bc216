package warehouse

// AbandonOwnership lets go of m's dir without stopping its server, as an
// owner that died without taking its server along would.
func AbandonOwnership(m *Managed) {
	m.lock.Close()
	m.lock = nil
}
