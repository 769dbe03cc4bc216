// Package figures reads the volume figures (messages per authority and ISO
// week) from the ClickHouse rollups, for GET /api/v1/metrics/volume and the
// dashboards.
package figures
