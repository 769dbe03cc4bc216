// Step 1, its payload: the new events of a claimed batch, kept in the
// ledger in a compact binary form until ClickHouse has them (step 2 reads
// them from here, and so does settling after a crash or an outage).

package ingest

import (
	"encoding/binary"
	"errors"
	"time"
	"unsafe"

	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// The payload of a spooled batch: its new events in a compact binary form,
// written in the same SQLite transaction that claims their keys, so an
// acknowledged batch can be inserted again after a crash or an outage.
//
//	payload = version(1) count(uvarint) event*
//	event   = occurred(varint unix ns) received(varint unix ns) flags(1)
//	          id type company authority channel msg user rights reason folder role
//	string  = length(uvarint) bytes
//
// flags holds the three optional booleans, two bits each (0 absent, 1 false,
// 2 true): has_metadata, has_deep_link, by_rule.
const spoolVersion = 1

var errCorruptPayload = errors.New("analytics: corrupt payload of a spooled batch")

// encodeSpool appends events[idx] to a payload.
func encodeSpool(events []*event.Event, idx []int) []byte {
	size := 8
	for _, n := range idx {
		size += spoolSize(events[n])
	}
	b := make([]byte, 0, size)
	b = append(b, spoolVersion)
	b = binary.AppendUvarint(b, uint64(len(idx)))
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, n := range idx {
		ev := events[n]
		b = binary.AppendVarint(b, ev.OccurredAt.UnixNano())
		b = binary.AppendVarint(b, ev.ReceivedAt.UnixNano())
		b = append(b, boolBits(ev.HasMetadata)|boolBits(ev.HasDeepLink)<<2|boolBits(ev.ByRule)<<4)
		str(ev.EventID)
		str(ev.Type)
		str(ev.CompanyCVR)
		str(ev.AuthorityCVR)
		str(ev.Channel)
		str(ev.MessageRef)
		str(ev.UserRef)
		str(ev.RightsModel)
		str(ev.Reason)
		str(ev.Folder)
		str(ev.Role)
	}
	return b
}

// eventPtrs points to each of evs.
func eventPtrs(evs []event.Event) []*event.Event {
	out := make([]*event.Event, len(evs))
	for n := range evs {
		out[n] = &evs[n]
	}
	return out
}

// decodeSpool reads a payload back (the events own their strings).
func decodeSpool(b []byte) ([]event.Event, error) {
	var out []event.Event
	err := scanSpool(b, false, func(ev *event.Event) error {
		out = append(out, *ev)
		return nil
	})
	return out, err
}

// scanSpool calls f with each event of a payload, in order; ev is reused
// from call to call. With alias set its strings point into b (no copy):
// they are valid while b is and must not be kept past it.
func scanSpool(b []byte, alias bool, f func(ev *event.Event) error) error {
	if len(b) == 0 || b[0] != spoolVersion {
		return errCorruptPayload
	}
	b = b[1:]
	count, w := binary.Uvarint(b)
	if w <= 0 || count > uint64(len(b)) {
		return errCorruptPayload
	}
	b = b[w:]
	bad := false
	varint := func() int64 {
		v, w := binary.Varint(b)
		if w <= 0 {
			bad = true
			return 0
		}
		b = b[w:]
		return v
	}
	str := func() string {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			bad = true
			return ""
		}
		raw := b[w : w+int(n)]
		b = b[w+int(n):]
		switch {
		case n == 0:
			return ""
		case alias:
			return unsafe.String(&raw[0], len(raw))
		}
		return string(raw)
	}
	var ev event.Event
	for range count {
		ev.OccurredAt = time.Unix(0, varint()).UTC()
		ev.ReceivedAt = time.Unix(0, varint()).UTC()
		if bad || len(b) == 0 {
			return errCorruptPayload
		}
		flags := b[0]
		b = b[1:]
		ev.HasMetadata, ev.HasDeepLink, ev.ByRule = bitsBool(flags, alias), bitsBool(flags>>2, alias), bitsBool(flags>>4, alias)
		ev.EventID, ev.Type, ev.CompanyCVR, ev.AuthorityCVR, ev.Channel = str(), str(), str(), str(), str()
		ev.MessageRef, ev.UserRef, ev.RightsModel, ev.Reason, ev.Folder, ev.Role = str(), str(), str(), str(), str(), str()
		if bad {
			return errCorruptPayload
		}
		if err := f(&ev); err != nil {
			return err
		}
	}
	if len(b) != 0 {
		return errCorruptPayload
	}
	return nil
}

func boolBits(p *bool) byte {
	switch {
	case p == nil:
		return 0
	case *p:
		return 2
	default:
		return 1
	}
}

// bitsBool reads two bits of flags; shared says the result may point to a
// value shared by every call (read-only use).
func bitsBool(b byte, shared bool) *bool {
	switch {
	case b&3 == 0:
		return nil
	case shared && b&3 == 2:
		return &sharedTrue
	case shared:
		return &sharedFalse
	}
	v := b&3 == 2
	return &v
}

var sharedTrue, sharedFalse = true, false
