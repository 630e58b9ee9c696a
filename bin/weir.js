#!/usr/bin/env node
// The `weir` command. In a checkout it runs the TypeScript sources directly (Node >= 22.18 strips
// types); an installed package runs the compiled `dist/`.
import { existsSync } from 'node:fs'

const src = new URL('../src/cli/main.ts', import.meta.url)
const dist = new URL('../dist/cli/main.js', import.meta.url)
const useSrc = existsSync(src) && !src.pathname.includes('/node_modules/')
const { main } = await import(useSrc ? src.href : dist.href)
await main(process.argv)
