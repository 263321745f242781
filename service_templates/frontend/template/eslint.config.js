// Style rules for `devenv check` (eslint .): the recommended JavaScript and TypeScript sets.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

// What Node provides to the server and config files (server.mjs, eslint.config.js).
const node = { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', Buffer: 'readonly' }

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.{js,mjs}'], languageOptions: { globals: node } },
)
