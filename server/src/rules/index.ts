import type { Rule } from '../engine/rule-types';

/** Every rule, in the order they are documented. One file per rule in this folder. */
export const rules: Rule[] = [
];
