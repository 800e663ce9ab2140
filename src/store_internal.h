/* store_internal.h — for the store's own files only (store*.c).
 *
 * The store is one module split over a few files by subject (documents and
 * orders in store.c, the sales desk and stage queues in their own file);
 * they share the connection, the statement cache and these helpers.  No
 * other module includes this header: everything else goes through
 * store.h. */
#ifndef ORDERGW_STORE_INTERNAL_H
#define ORDERGW_STORE_INTERNAL_H
#include <sqlite3.h>
#include <stdint.h>
#include <json.h>
#include "store.h"

#define STMT_CACHE 128

struct store {
	sqlite3 *db;
	char error[512];
	struct { const char *sql; sqlite3_stmt *st; } cache[STMT_CACHE];
	size_t n_cache;
};

/* SQLite result -> 0 / -1, keeping the message for store_error(). */
int store_check(struct store *s, int rc, const char *what);
/* A prepared statement for a literal SQL text (cached, reset, unbound). */
sqlite3_stmt *store_prep(struct store *s, const char *sql);
void store_done(struct store *s, sqlite3_stmt *st);
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what);
/* After a one-row SELECT stepped with result rc: reset the statement and
 * return 1 (a row was read), 0 (none) or -1 (error, kept for store_error). */
int store_row_result(struct store *s, sqlite3_stmt *st, int rc, const char *what);
void store_bt(sqlite3_stmt *st, int i, const char *v);      /* text or NULL */
void store_bi(sqlite3_stmt *st, int i, int64_t v);
void store_bi0(sqlite3_stmt *st, int i, int64_t v);         /* 0 binds NULL */
char *store_ct(sqlite3_stmt *st, int i);                    /* strdup of a column */
json_object *store_row_object(sqlite3_stmt *st);
/* Up to three text parameters and one integer into a JSON array of rows. */
json_object *store_query_rows(struct store *s, const char *sql, const char *p1, const char *p2,
			      const char *p3, int64_t n4);

#endif
