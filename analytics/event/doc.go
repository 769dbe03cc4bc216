// Package event is the usage event: its fields, the known types and
// channels, and the decoding and validation of NDJSON, a JSON array or CSV
// into events, with one error per rejected line naming the field.
package event
