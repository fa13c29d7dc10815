import { NextRequest, NextResponse } from 'next/server';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

export async function GET(request: NextRequest) {
  const name = request.nextUrl.searchParams.get('name') ?? '';
  // VULNERABLE: the query string is pasted into the SQL text
  const { rows } = await pool.query(`SELECT id, name, email FROM users WHERE name = '${name}'`);
  return NextResponse.json(rows);
}

export async function POST(request: NextRequest) {
  const body = await request.json();
  // safe: values travel as parameters
  const { rows } = await pool.query('INSERT INTO users (name, email) VALUES ($1, $2) RETURNING id', [body.name, body.email]);
  return NextResponse.json(rows[0], { status: 201 });
}
