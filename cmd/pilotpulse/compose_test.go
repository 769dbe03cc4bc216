package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The production-like stack cannot run here (no Docker engine), so this
// test reads docker-compose.yml and the Dockerfile and checks what the
// stack depends on: the services, ports, image tags, health checks and the
// DSN that points Pilotpulse at the ClickHouse service.
func TestComposeFile(t *testing.T) {
	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       any               `yaml:"build"`
			Environment map[string]string `yaml:"environment"`
			Ports       []string          `yaml:"ports"`
			Volumes     []string          `yaml:"volumes"`
			DependsOn   map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	ch, ok := f.Services["clickhouse"]
	if !ok {
		t.Fatal("no clickhouse service")
	}
	image, tag, _ := strings.Cut(ch.Image, ":")
	if image != "clickhouse/clickhouse-server" || !(strings.HasPrefix(tag, "24.") || strings.HasPrefix(tag, "25.")) {
		t.Errorf("clickhouse image %q: want clickhouse/clickhouse-server:24.x or newer, pinned", ch.Image)
	}
	if len(ch.Healthcheck.Test) == 0 || len(ch.Volumes) == 0 {
		t.Error("clickhouse needs a health check and a data volume")
	}
	pp, ok := f.Services["pilotpulse"]
	if !ok {
		t.Fatal("no pilotpulse service")
	}
	if pp.Build == nil {
		t.Error("pilotpulse must be built from the Dockerfile")
	}
	if pp.DependsOn["clickhouse"].Condition != "service_healthy" {
		t.Error("pilotpulse must wait for a healthy clickhouse")
	}
	if !slices.Contains(pp.Ports, "8080:8080") {
		t.Errorf("pilotpulse ports %v: want 8080:8080", pp.Ports)
	}
	if !strings.Contains(strings.Join(pp.Healthcheck.Test, " "), "/readyz") {
		t.Error("pilotpulse health check should ask /readyz")
	}
	dsn := pp.Environment["PILOTPULSE_CLICKHOUSE_DSN"]
	if !strings.HasPrefix(dsn, "clickhouse://") || !strings.Contains(dsn, "@clickhouse:9000/"+ch.Environment["CLICKHOUSE_DB"]) {
		t.Errorf("DSN %q must use the native protocol on the clickhouse service and its database", dsn)
	}
	if !strings.Contains(dsn, ch.Environment["CLICKHOUSE_USER"]+":"+ch.Environment["CLICKHOUSE_PASSWORD"]+"@") {
		t.Errorf("DSN %q must carry the clickhouse service's user and password", dsn)
	}
	if pp.Environment["PILOTPULSE_ADDR"] != "0.0.0.0:8080" || pp.Environment["PILOTPULSE_DATA_DIR"] == "" {
		t.Error("pilotpulse must listen on 0.0.0.0:8080 with a data dir")
	}
	for _, v := range append(pp.Volumes, ch.Volumes...) {
		name, _, _ := strings.Cut(v, ":")
		if _, ok := f.Volumes[name]; !ok {
			t.Errorf("volume %q is not declared", name)
		}
	}
	df, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"FROM golang:1.26", "CGO_ENABLED=0", "./cmd/pilotpulse", "HEALTHCHECK", "EXPOSE 8080"} {
		if !strings.Contains(string(df), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}
