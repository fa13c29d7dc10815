import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.get("/orders")
def orders():
    customer = request.args["customer"]
    db = sqlite3.connect("shop.db")
    return {"rows": db.execute("SELECT * FROM orders WHERE customer = '%s'" % customer).fetchall()}
