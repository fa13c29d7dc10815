"""A tiny Flask API with a security problem. Secure Hints underlines it; press Ctrl+. to fix it."""
import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/users")
def find_user():
    name = request.args.get("name", "")
    conn = sqlite3.connect("app.db")
    cur = conn.cursor()
    cur.execute(f"SELECT id, email FROM users WHERE name = '{name}'")
    return jsonify(cur.fetchall())
