// Types for eslint.walls.js (plain JavaScript, as ESLint's own config), for scripts/walls.test.ts.
import type { Linter } from 'eslint';

export declare const wallsConfig: Linter.Config[];
