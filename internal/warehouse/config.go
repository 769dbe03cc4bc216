package warehouse

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
)

// layout holds the files and folders of a managed server under its dir.
type layout struct {
	dir        string // absolute
	configPath string // config.xml
	usersPath  string // users.xml
	pidPath    string // written by us, not by the server
	lockPath   string // flock held by the owning process (owner.go)
	addrPath   string // the ready server's pid and ports, for borrowers
	dataDir    string // <path>
	tmpDir     string // <tmp_path>
	userFiles  string // <user_files_path>
	formatDir  string // <format_schema_path>
	logDir     string
	serverLog  string
	serverErr  string
	stdoutPath string
	stderrPath string
}

func newLayout(dir string) layout {
	logDir := filepath.Join(dir, "log")
	return layout{
		dir:        dir,
		configPath: filepath.Join(dir, "config.xml"),
		usersPath:  filepath.Join(dir, "users.xml"),
		pidPath:    filepath.Join(dir, "clickhouse-server.pid"),
		lockPath:   filepath.Join(dir, "owner.lock"),
		addrPath:   filepath.Join(dir, "clickhouse-server.addr"),
		dataDir:    filepath.Join(dir, "data") + "/",
		tmpDir:     filepath.Join(dir, "tmp") + "/",
		userFiles:  filepath.Join(dir, "user_files") + "/",
		formatDir:  filepath.Join(dir, "format_schemas") + "/",
		logDir:     logDir,
		serverLog:  filepath.Join(logDir, "clickhouse-server.log"),
		serverErr:  filepath.Join(logDir, "clickhouse-server.err.log"),
		stdoutPath: filepath.Join(logDir, "stdout.log"),
		stderrPath: filepath.Join(logDir, "stderr.log"),
	}
}

func (l layout) mkdirs() error {
	for _, d := range []string{l.dir, l.dataDir, l.tmpDir, l.userFiles, l.formatDir, l.logDir} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return fmt.Errorf("warehouse: create %s: %w", d, err)
		}
	}
	return nil
}

// Server-wide knobs. The values keep an idle development server small; the
// caches are allocated on demand, these are only upper bounds.
const (
	markCacheSize         = 128 << 20 // default 5 GiB
	uncompressedCacheSize = 64 << 20  // default 8 GiB, only used with use_uncompressed_cache=1
	maxConnections        = 256       // default 4096
	maxConcurrentQueries  = 64        // default 100
)

// configXML renders config.xml. Only elements that ClickHouse 18.16.1 knows
// are used, under the root element <yandex> (newer servers accept it too).
//
// Left out on purpose, which disables them on 18.16:
//   - interserver_http_port: only needed for replication;
//   - query_log, query_thread_log, part_log, trace_log, text_log,
//     metric_log: no system log tables are written;
//   - remote_servers, zookeeper, macros, graphite, dictionaries_config.
func configXML(l layout, tcpPort, httpPort int) []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("<?xml version=\"1.0\"?>\n")
	w("<!-- Written by PilotPulse (internal/warehouse); rewritten on every start. -->\n")
	w("<yandex>\n")
	w("    <logger>\n")
	w("        <level>information</level>\n")
	w("        <log>%s</log>\n", xmlText(l.serverLog))
	w("        <errorlog>%s</errorlog>\n", xmlText(l.serverErr))
	w("        <size>10M</size>\n")
	w("        <count>3</count>\n")
	w("    </logger>\n")
	w("    <listen_host>127.0.0.1</listen_host>\n")
	w("    <tcp_port>%d</tcp_port>\n", tcpPort)
	w("    <http_port>%d</http_port>\n", httpPort)
	w("    <path>%s</path>\n", xmlText(l.dataDir))
	w("    <tmp_path>%s</tmp_path>\n", xmlText(l.tmpDir))
	w("    <user_files_path>%s</user_files_path>\n", xmlText(l.userFiles))
	w("    <format_schema_path>%s</format_schema_path>\n", xmlText(l.formatDir))
	w("    <users_config>%s</users_config>\n", xmlText(l.usersPath))
	w("    <default_profile>default</default_profile>\n")
	w("    <default_database>default</default_database>\n")
	w("    <timezone>UTC</timezone>\n")
	w("    <umask>027</umask>\n")
	w("    <mlock_executable>false</mlock_executable>\n")
	w("    <max_connections>%d</max_connections>\n", maxConnections)
	w("    <max_concurrent_queries>%d</max_concurrent_queries>\n", maxConcurrentQueries)
	w("    <keep_alive_timeout>3</keep_alive_timeout>\n")
	w("    <mark_cache_size>%d</mark_cache_size>\n", markCacheSize)
	w("    <uncompressed_cache_size>%d</uncompressed_cache_size>\n", uncompressedCacheSize)
	w("    <max_table_size_to_drop>0</max_table_size_to_drop>\n")
	w("    <max_partition_size_to_drop>0</max_partition_size_to_drop>\n")
	w("</yandex>\n")
	return b.Bytes()
}

// usersXML renders users.xml: one passwordless user "default", reachable from
// loopback only, with an unlimited quota. Queries are not logged.
func usersXML() []byte {
	return []byte(`<?xml version="1.0"?>
<!-- Written by PilotPulse (internal/warehouse); rewritten on every start. -->
<yandex>
    <profiles>
        <default>
            <log_queries>0</log_queries>
            <!-- Idle connections check for shutdown every poll_interval seconds
                 (default 10); 1 lets Stop finish in ~2 s instead of ~10 s while
                 clients still hold idle connections. -->
            <poll_interval>1</poll_interval>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
`)
}

func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// writeConfig writes config.xml and users.xml atomically enough for our use
// (write to a temporary name, then rename).
func writeConfig(l layout, tcpPort, httpPort int) error {
	if err := writeFileAtomic(l.usersPath, usersXML()); err != nil {
		return err
	}
	return writeFileAtomic(l.configPath, configXML(l, tcpPort, httpPort))
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return fmt.Errorf("warehouse: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("warehouse: write %s: %w", path, err)
	}
	return nil
}
