// Package chdb runs the project's ClickHouse SQL on chDB, ClickHouse 26.7
// built as a library (libchdb.so, loaded without cgo through purego), behind
// clickhouse-go's driver.Conn. Tests use it to prove that the statements the
// project sends, written for ClickHouse 18.16 (the server the tests start),
// also run on the current ClickHouse production uses. It is a test engine:
// the application talks to a real server through the native protocol.
//
// Results travel in ClickHouse's Native format and are decoded by
// clickhouse-go's own column code, so Scan accepts and refuses the same Go
// types as on a server; batches are encoded by the same code and inserted as
// INSERT ... FORMAT Native. Positional ? arguments are bound into the query
// text like clickhouse-go binds them for the native protocol (see bind.go).
// Settings given with clickhouse.Context(ctx, clickhouse.WithSettings(...))
// apply to the statements run with that context.
//
// chDB holds one engine per process, with one data folder: the first Open
// starts it, later Opens with the same folder share it, and Open with another
// folder fails. Calls are serialised. Each Conn has its own default database
// (USE before its statements), so tests isolate themselves by database: see
// OpenTest.
//
// The library is found through PILOTPULSE_CHDB_LIB, else at
// tools/chdb/libchdb.so under the module root (scripts/deps.sh chdb puts it
// there).
package chdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	"github.com/ebitengine/purego"
)

// LibEnv names the environment variable holding the path of libchdb.so.
const LibEnv = "PILOTPULSE_CHDB_LIB"

// DefaultLib is where scripts/deps.sh chdb installs the library, relative to
// the module root.
const DefaultLib = "tools/chdb/libchdb.so"

// ErrNoLibrary is returned (wrapped) when libchdb.so is not where LibPath
// says.
var ErrNoLibrary = errors.New("chdb: libchdb.so not found")

// LibPath returns the library's path: $PILOTPULSE_CHDB_LIB, else
// tools/chdb/libchdb.so in the first folder at or above the working directory
// that holds a go.mod (the module root, for tests run by go test).
func LibPath() string {
	if p := os.Getenv(LibEnv); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		return DefaultLib
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, DefaultLib)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return DefaultLib
		}
		dir = parent
	}
}

// library holds the C functions of libchdb.so.
type library struct {
	connect            func(argc int32, argv []*byte) unsafe.Pointer
	closeConn          func(conn unsafe.Pointer)
	queryN             func(conn unsafe.Pointer, query []byte, queryLen uintptr, format []byte, formatLen uintptr) unsafe.Pointer
	resultBuffer       func(res unsafe.Pointer) *byte
	resultLength       func(res unsafe.Pointer) uintptr
	resultError        func(res unsafe.Pointer) string
	destroyResult      func(res unsafe.Pointer)
	setSignalsHandlers func(enabled int32)
}

func loadLibrary(path string) (*library, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w at %s (run scripts/deps.sh chdb, or set %s): %v", ErrNoLibrary, path, LibEnv, err)
	}
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("chdb: load %s: %w", path, err)
	}
	lib := &library{}
	for name, fn := range map[string]any{
		"chdb_connect":                     &lib.connect,
		"chdb_close_conn":                  &lib.closeConn,
		"chdb_query_n":                     &lib.queryN,
		"chdb_result_buffer":               &lib.resultBuffer,
		"chdb_result_length":               &lib.resultLength,
		"chdb_result_error":                &lib.resultError,
		"chdb_destroy_query_result":        &lib.destroyResult,
		"chdb_set_signal_handlers_enabled": &lib.setSignalsHandlers,
	} {
		if _, err := purego.Dlsym(h, name); err != nil {
			return nil, fmt.Errorf("chdb: %s has no %s: %w", path, name, err)
		}
		purego.RegisterLibFunc(fn, h, name)
	}
	return lib, nil
}

// engine is the process's one chDB engine.
type engine struct {
	mu      sync.Mutex // serialises every call into the library
	lib     *library
	conn    unsafe.Pointer // chdb_connection* as returned by chdb_connect
	handle  unsafe.Pointer // *conn, the handle queries take
	dataDir string
	current string // the session's current database
	version *proto.ServerHandshake
}

var (
	engineMu sync.Mutex
	shared   *engine
)

// start returns the shared engine, starting it on dataDir the first time.
func start(libPath, dataDir string) (*engine, error) {
	engineMu.Lock()
	defer engineMu.Unlock()
	if shared != nil {
		if shared.dataDir != dataDir {
			return nil, fmt.Errorf("chdb: the engine of this process runs on %s, not %s (one data folder per process)", shared.dataDir, dataDir)
		}
		return shared, nil
	}
	lib, err := loadLibrary(libPath)
	if err != nil {
		return nil, err
	}
	e := &engine{lib: lib, dataDir: dataDir}
	if err := e.connect(); err != nil {
		return nil, err
	}
	if e.version, err = e.handshake(); err != nil {
		return nil, err
	}
	shared = e
	return e, nil
}

// connect opens the engine. ClickHouse installs handlers for the deadly
// signals (SIGSEGV, ...) that the Go runtime needs (nil dereferences, stack
// growth, preemption): chDB is told not to, and since telling it resets those
// signals to their defaults, every handler the process had is put back
// afterwards. It runs on a thread of its own that ends with it, so changes
// to that thread's signal mask go with it.
func (e *engine) connect() error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		saved := saveSignalHandlers()
		defer restoreSignalHandlers(saved)
		e.lib.setSignalsHandlers(0)
		args := []string{"clickhouse", "--path=" + e.dataDir}
		argv := make([]*byte, len(args)+1)
		keep := make([][]byte, len(args))
		for i, a := range args {
			keep[i] = append([]byte(a), 0)
			argv[i] = &keep[i][0]
		}
		conn := e.lib.connect(int32(len(args)), argv)
		runtime.KeepAlive(keep)
		if conn == nil {
			done <- fmt.Errorf("chdb: chdb_connect on %s failed (see the engine's log above)", e.dataDir)
			return
		}
		e.conn = conn
		e.handle = *(*unsafe.Pointer)(conn)
		done <- nil
	}()
	return <-done
}

// handshake reads what a server tells clickhouse-go when it connects.
func (e *engine) handshake() (*proto.ServerHandshake, error) {
	out, err := e.run("", nil, "SELECT version(), timezone()", "TSV", nil)
	if err != nil {
		return nil, err
	}
	fields := strings.Split(strings.TrimSpace(string(out)), "\t")
	if len(fields) != 2 {
		return nil, fmt.Errorf("chdb: unexpected answer to SELECT version(), timezone(): %q", out)
	}
	tz, err := loadLocation(fields[1])
	if err != nil {
		return nil, err
	}
	return &proto.ServerHandshake{
		Name:        "chDB",
		DisplayName: "chDB " + fields[0],
		Version:     proto.ParseVersion(fields[0]),
		Timezone:    tz,
	}, nil
}

// run executes one statement in database db ("" for the session's current
// one), with settings (SQL literals by name) for it alone, and returns its
// output in format. data, when not nil, follows the query text (the rows of
// an INSERT ... FORMAT).
func (e *engine) run(db string, settings map[string]string, query, format string, data []byte) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if db != "" && db != e.current {
		if _, err := e.runLocked("USE "+quoteIdentifier(db), "TSV", nil); err != nil {
			return nil, err
		}
		e.current = db
	}
	if len(settings) > 0 {
		return e.withSettings(settings, func() ([]byte, error) { return e.runLocked(query, format, data) })
	}
	return e.runLocked(query, format, data)
}

func (e *engine) runLocked(query, format string, data []byte) ([]byte, error) {
	if e.handle == nil {
		return nil, errors.New("chdb: the engine is closed")
	}
	text := []byte(query)
	if data != nil {
		text = append(append(text, '\n'), data...)
	}
	text = append(text, 0) // never empty, so the slice has an address
	f := append([]byte(format), 0)
	res := e.lib.queryN(e.handle, text, uintptr(len(text)-1), f, uintptr(len(f)-1))
	runtime.KeepAlive(text)
	runtime.KeepAlive(f)
	if res == nil {
		return nil, errors.New("chdb: chdb_query_n returned no result")
	}
	defer e.lib.destroyResult(res)
	if msg := e.lib.resultError(res); msg != "" {
		return nil, parseException(msg)
	}
	n := e.lib.resultLength(res)
	if n == 0 {
		return nil, nil
	}
	return append([]byte(nil), unsafe.Slice(e.lib.resultBuffer(res), n)...), nil
}

var exceptionCode = regexp.MustCompile(`^Code: (\d+)\. `)

// parseException turns chDB's error text ("Code: 60. DB::Exception: ...")
// into the *clickhouse.Exception a server's error becomes in clickhouse-go.
func parseException(msg string) error {
	msg = strings.TrimSpace(msg)
	ex := &proto.Exception{Name: "DB::Exception", Message: msg}
	if m := exceptionCode.FindStringSubmatch(msg); m != nil {
		code, _ := strconv.ParseInt(m[1], 10, 32)
		ex.Code = int32(code)
		ex.Message = strings.TrimPrefix(strings.TrimPrefix(msg, m[0]), "DB::Exception: ")
	}
	return ex
}

func loadLocation(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("chdb: the engine's time zone %q: %w", name, err)
	}
	return loc, nil
}

func quoteIdentifier(name string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`").Replace(name) + "`"
}

// close stops the engine; the process cannot start another one.
func (e *engine) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		return
	}
	saved := saveSignalHandlers()
	e.lib.closeConn(e.conn)
	restoreSignalHandlers(saved)
	e.conn, e.handle = nil, nil
}
