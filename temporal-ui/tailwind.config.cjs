// Tailwind with the UI library's theme plugin, scanning our routes and the library's components.
// Tailwind loads this file with jiti (as the library's own build does): the theme plugin is an
// ES module importing `tailwindcss/plugin`, which only CommonJS resolution finds.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const defaultTheme = require('tailwindcss/defaultTheme');

// The package exports its files for `import` only: reach them by path.
const uiPackage = require.resolve
  .paths('@temporalio/ui')
  .map((dir) => join(dir, '@temporalio', 'ui'))
  .find((dir) => existsSync(join(dir, 'package.json')));
const theme = require(join(uiPackage, 'dist', 'theme', 'plugin.js'));

/** @type {import('tailwindcss').Config} */
module.exports = {
  content: ['./src/**/*.{html,js,ts,svelte}', join(uiPackage, 'dist', '**', '*.{js,svelte}')],
  darkMode: ['selector', '[data-theme="dark"]'],
  theme: {
    fontFamily: {
      sans: ['Inter Variable', 'Inter', ...defaultTheme.fontFamily.sans],
      mono: ['Noto Sans Mono', ...defaultTheme.fontFamily.mono],
    },
    extend: {
      animation: { 'spin-slow': 'spin 3s linear infinite' },
      zIndex: { 100: '100' },
    },
  },
  plugins: [theme.default ?? theme, theme.textStyles],
};
