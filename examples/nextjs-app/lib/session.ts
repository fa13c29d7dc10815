import { randomBytes } from 'node:crypto';

// VULNERABLE: Math.random is predictable; session ids made from it can be guessed
export function newSessionId(): string {
  return Math.random().toString(36).slice(2);
}

// safe: a cryptographically secure token
export function newCsrfToken(): string {
  return randomBytes(32).toString('hex');
}

// safe: Math.random for something that is not a secret
export function jitterMs(base: number): number {
  return base + Math.floor(Math.random() * 100);
}
