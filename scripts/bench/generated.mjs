// The benchmark's generated workloads: a Flask-like Python file and an Express-like TypeScript file of
// any length (one unsafe query in ten handlers), and a Terraform module. Same text on every run.

function pythonBlock(i) {
  const unsafe = i % 10 === 0
    ? `    cur.execute(f"SELECT id FROM audit WHERE who = '{name}'")\n`
    : `    cur.execute("SELECT id FROM audit WHERE who = ?", (name,))\n`;
  return `@app.route("/items/${i}")
def handler_${i}():
    name = request.args.get("name", "")
    limit = int(request.args.get("limit", "10"))
    cur = get_db().cursor()
${unsafe}    rows = cur.execute("SELECT id, name FROM items WHERE name = ? LIMIT ?", (name, limit)).fetchall()
    result = []
    for row in rows:
        if row[1].startswith(PREFIX):
            result.append({"id": row[0], "name": row[1].upper()})
        else:
            result.append({"id": row[0], "name": row[1]})
    total = sum(r["id"] for r in result)
    label = f"{name}-{total}"
    return jsonify(items=result, label=label)


class Model${i}:
    def __init__(self, value):
        self.value = value

    def render(self):
        return "<b>%s</b>" % html.escape(str(self.value))

`;
}

function tsBlock(i) {
  const unsafe = i % 10 === 0
    ? "  await pool.query(`SELECT id FROM audit WHERE who = '${name}'`);\n"
    : "  await pool.query('SELECT id FROM audit WHERE who = $1', [name]);\n";
  return `app.get('/items/${i}', async (req: Request, res: Response) => {
  const name = String(req.query.name ?? '');
  const limit = Number(req.query.limit ?? 10);
${unsafe}  const { rows } = await pool.query('SELECT id, name FROM items WHERE name = $1 LIMIT $2', [name, limit]);
  const result = rows.map((row: { id: number; name: string }) => ({ id: row.id, name: row.name.toUpperCase() }));
  const total = result.reduce((sum: number, r: { id: number }) => sum + r.id, 0);
  if (total > LIMIT) {
    res.status(413).json({ error: 'too many' });
    return;
  }
  res.json({ items: result, label: \`\${name}-\${total}\` });
});

export class Model${i} {
  constructor(private readonly value: string) {}

  render(): string {
    return escapeHtml(String(this.value));
  }
}

`;
}

const HEADERS = {
  python: 'import html\nimport sqlite3\nfrom flask import Flask, jsonify, request\n\napp = Flask(__name__)\nPREFIX = "x"\n\n\ndef get_db():\n    return sqlite3.connect("app.db")\n\n\n',
  typescript: "import express, { type Request, type Response } from 'express';\nimport { Pool } from 'pg';\nimport escapeHtml from 'escape-html';\n\nconst app = express();\nconst pool = new Pool();\nconst LIMIT = 1000;\n\n",
};

export function generate(language, lines) {
  const block = language === 'python' ? pythonBlock : tsBlock;
  let text = HEADERS[language];
  for (let i = 0; text.split('\n').length < lines; i++) text += block(i);
  return text.split('\n').slice(0, lines).join('\n') + '\n';
}

/** A Terraform module: security groups, IAM policies (jsonencode and policy documents), databases, buckets, instances. */
export function terraformBlock(i) {
  const open = i % 10 === 0 ? '"0.0.0.0/0"' : '"10.0.0.0/8"';
  return `resource "aws_security_group" "sg_${i}" {
  name   = "sg-${i}"
  vpc_id = var.vpc_id

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [${open}]
  }
}

resource "aws_iam_policy" "policy_${i}" {
  name = "policy-${i}"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "\${aws_s3_bucket.b_${i}.arn}/*" },
      { Effect = "Allow", Action = ["sqs:SendMessage"], Resource = var.queue_arn },
    ]
  })
}

data "aws_iam_policy_document" "doc_${i}" {
  statement {
    actions   = ["dynamodb:GetItem", "dynamodb:Query"]
    resources = ["arn:aws:dynamodb:eu-west-1:111122223333:table/t-${i}"]
  }
}

resource "aws_db_instance" "db_${i}" {
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  storage_encrypted   = true
  publicly_accessible = false
  password            = var.db_password
}

resource "aws_s3_bucket" "b_${i}" {
  bucket = "bucket-${i}"
}

resource "aws_instance" "vm_${i}" {
  ami           = var.ami
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "required"
  }
}

`;
}
