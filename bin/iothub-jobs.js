#!/usr/bin/env node
// Launcher for the compiled CLI (`npm run build` compiles src/ into dist/).
import '../dist/src/cli/bin.js';
