package chdb

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// contextSettings returns the settings given with clickhouse.Context(ctx,
// clickhouse.WithSettings(...)), as SQL literals. clickhouse-go keeps them
// unexported; a QueryOption sees the options the context carries, and their
// settings are read from it by reflection.
func contextSettings(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	var err error
	clickhouse.Context(ctx, func(o *clickhouse.QueryOptions) error {
		field := reflect.ValueOf(o).Elem().FieldByName("settings")
		if !field.IsValid() || field.Kind() != reflect.Map {
			err = fmt.Errorf("chdb: clickhouse-go's QueryOptions has no settings map any more: update contextSettings")
			return nil
		}
		iter := field.MapRange()
		for iter.Next() {
			lit, litErr := settingLiteral(iter.Value())
			if litErr != nil {
				err = fmt.Errorf("chdb: setting %s: %w", iter.Key().String(), litErr)
				return nil
			}
			out[iter.Key().String()] = lit
		}
		return nil
	})
	return out, err
}

func settingLiteral(v reflect.Value) (string, error) {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", fmt.Errorf("nil value")
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64), nil
	case reflect.Bool:
		if v.Bool() {
			return "1", nil
		}
		return "0", nil
	case reflect.String:
		return quoteString(v.String()), nil
	case reflect.Struct: // clickhouse.CustomSetting{Value string}
		if f := v.FieldByName("Value"); f.IsValid() && f.Kind() == reflect.String {
			return quoteString(f.String()), nil
		}
	}
	return "", fmt.Errorf("unsupported value of type %s", v.Type())
}

// withSettings runs fn with the session's settings changed to settings, and
// puts their old values back after (the engine's lock is held).
func (e *engine) withSettings(settings map[string]string, fn func() ([]byte, error)) ([]byte, error) {
	names := make([]string, 0, len(settings))
	for name := range settings {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		old, err := e.runLocked("SELECT value FROM system.settings WHERE name = "+quoteString(name), "TSVRaw", nil)
		if err != nil {
			return nil, err
		}
		if _, err := e.runLocked("SET "+quoteIdentifier(name)+" = "+settings[name], "TSV", nil); err != nil {
			return nil, err
		}
		defer func() {
			_, _ = e.runLocked("SET "+quoteIdentifier(name)+" = "+quoteString(strings.TrimRight(string(old), "\n")), "TSV", nil)
		}()
	}
	return fn()
}
