/** @module version — Weir's version, from package.json (istioctl's VERSION column, `weir --version`). */
import pkg from '../package.json' with { type: 'json' }

export const WEIR_VERSION: string = pkg.version
