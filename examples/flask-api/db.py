"""Database helpers for the example shop."""
import sqlite3

DATABASE = "shop.db"
CUSTOMER_COLUMNS = "id, name, email"


def get_db():
    return sqlite3.connect(DATABASE)


def find_customer(name):
    conn = get_db()
    # VULNERABLE: string formatting builds the query (the caller passes a URL segment)
    row = conn.execute("SELECT %s FROM customers WHERE name = '%s'" % (CUSTOMER_COLUMNS, name)).fetchone()
    return row


def count_products():
    conn = get_db()
    # safe: built only from constants
    table = "products"
    return conn.execute("SELECT COUNT(*) FROM " + table).fetchone()[0]


def recent_orders(customer_id, limit=10):
    conn = get_db()
    # safe: parameterized
    return conn.execute(
        "SELECT id, total FROM orders WHERE customer_id = ? ORDER BY created DESC LIMIT ?",
        (customer_id, limit),
    ).fetchall()
