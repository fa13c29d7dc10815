/**
 * TypeScript is not in the server bundle: scripts/build.mjs ships it as dist/typescript.js and loads it
 * on first use, so the language server's main thread and Python-only work never pay its load (~0.4 s of
 * CPU). `loadTypescript` loads it now, e.g. before a file's time budget starts counting.
 */
import ts from 'typescript';
import type { Language } from '../../engine/types';

/** The fronts that parse with TypeScript (Vue's script blocks go through the JS front). */
export function needsTypescript(language: Language | undefined): boolean {
  return language === 'javascript' || language === 'vue';
}

export function loadTypescript(): void {
  void ts.version; // outside the bundle's enum literals: loads TypeScript (see build.mjs)
}
