package warehouse_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

// TestOpenCreatesMissingDatabase opens a DSN whose database does not exist
// yet (with a name that needs quoting): Open creates it (a second Open finds
// it), and the connection works in it.
func TestOpenCreatesMissingDatabase(t *testing.T) {
	addr := warehousetest.Server(t).TCPAddr()
	name := fmt.Sprintf("t-missing-%d", os.Getpid())
	admin := open(t, "clickhouse://default:@"+addr+"/default")
	t.Cleanup(func() { _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+name+"`") })

	dsn := "clickhouse://default:@" + addr + "/" + name
	for range 2 {
		conn := open(t, dsn)
		var db string
		if err := conn.QueryRow(t.Context(), "SELECT currentDatabase()").Scan(&db); err != nil || db != name {
			t.Fatalf("currentDatabase() = %q, %v; want %q", db, err, name)
		}
		if err := conn.Exec(t.Context(), "CREATE TABLE IF NOT EXISTS notes (id UInt32) ENGINE = MergeTree ORDER BY id"); err != nil {
			t.Fatalf("create a table in the new database: %v", err)
		}
		conn.Close()
	}
}

// TestOpenMissingDatabaseThatCannotBeCreated gets one line naming the
// database and the server when the database is missing and creating it
// fails (here: a name too long for the server's file system).
func TestOpenMissingDatabaseThatCannotBeCreated(t *testing.T) {
	addr := warehousetest.Server(t).TCPAddr()
	name := strings.Repeat("x", 300)
	_, err := warehouse.Open(t.Context(), "clickhouse://default:@"+addr+"/"+name)
	if err == nil {
		t.Fatal("Open succeeded with a database that cannot be created")
	}
	t.Logf("error: %v", err)
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, `database "`+name+`"`) || !strings.Contains(msg, "default@"+addr) {
		t.Errorf("want one line naming the database and default@%s, got: %v", addr, err)
	}
}
