import { NextRequest, NextResponse } from 'next/server';

const VAT_RATE = 0.2;

export async function GET(request: NextRequest) {
  const expression = request.nextUrl.searchParams.get('expr') ?? '0';
  // VULNERABLE: evaluating a query parameter runs attacker code on the server
  const total = eval(expression);
  // safe: plain arithmetic on a parsed number
  const withVat = Number(total) * (1 + VAT_RATE);
  return NextResponse.json({ total, withVat });
}
