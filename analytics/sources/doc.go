// Package sources is where usage events come from: the source store (push,
// http-feed and directory sources with their pull state), its pages and
// API, the pullers that fetch feed pages and take in export files, and the
// push API (POST /api/v1/events). Events are stored through package ingest.
package sources
