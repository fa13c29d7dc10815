"""Product catalogue API for the example shop. Deliberately vulnerable: see examples/README.md."""
import pickle
import sqlite3
import subprocess
import xml.etree.ElementTree as ET

import yaml
from flask import Flask, jsonify, redirect, request, url_for

from db import get_db, find_customer

app = Flask(__name__)


@app.route("/products")
def search_products():
    term = request.args.get("q", "")
    db = sqlite3.connect("shop.db")
    cur = db.cursor()
    # VULNERABLE: the search term is pasted into the SQL text
    cur.execute(f"SELECT id, name, price FROM products WHERE name LIKE '%{term}%' ORDER BY name")
    return jsonify(cur.fetchall())


@app.route("/products/<int:product_id>")
def product(product_id):
    # safe: the value travels as a parameter
    cur = get_db().execute("SELECT id, name, price FROM products WHERE id = ?", (product_id,))
    return jsonify(cur.fetchone())


@app.route("/customers/<name>")
def customer(name):
    return jsonify(find_customer(name))


@app.route("/catalogue/import", methods=["POST"])
def import_catalogue():
    # VULNERABLE: yaml.load with the default loader builds arbitrary Python objects
    catalogue = yaml.load(request.get_data(as_text=True))
    for item in catalogue.get("products", []):
        get_db().execute("INSERT INTO products (name, price) VALUES (?, ?)", (item["name"], item["price"]))
    return jsonify(imported=len(catalogue.get("products", [])))


@app.route("/cart/restore", methods=["POST"])
def restore_cart():
    # VULNERABLE: unpickling a request body runs attacker-chosen code
    cart = pickle.loads(request.get_data())
    return jsonify(items=len(cart))


@app.route("/price/estimate")
def estimate():
    formula = request.args["formula"]
    # VULNERABLE: eval of a query parameter
    total = eval(formula)
    return jsonify(total=total)


@app.route("/feeds/supplier", methods=["POST"])
def supplier_feed():
    # VULNERABLE: the standard library XML parser on an uploaded document
    root = ET.fromstring(request.data)
    return jsonify(items=[node.attrib for node in root.iter("item")])


@app.route("/reports/<report>")
def report(report):
    # VULNERABLE: a shell command line built from the URL
    output = subprocess.check_output("generate-report --name " + report, shell=True)
    return output


@app.route("/login/done")
def after_login():
    # safe: a fixed internal redirect
    return redirect(url_for("search_products"))


@app.route("/settings")
def settings():
    # safe: the configuration file is ours and safe_load builds plain data
    with open("settings.yaml") as f:
        return jsonify(yaml.safe_load(f))


if __name__ == "__main__":
    app.run()
