#!/usr/bin/env node
// Launcher for the compiled CLI (`npm run build` compiles temporal-lite into dist/).
import '../../dist/temporal-lite/cli.js';
