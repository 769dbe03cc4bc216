// Package figures reads the volume figures (messages per authority and ISO
// week) from the ClickHouse rollups and the weekly figures volume_weekly,
// which its refresher (Volume.Refresh) keeps up to date, for the dashboards
// (the volume pages and GET /api/v1/metrics/volume, in package dashboards).
package figures
