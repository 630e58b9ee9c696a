/** @module compile/index — the compile stage's public entry points. */
export { type CompileResult, compileProxy } from './compile-proxy.ts'
export { type ExplainRequest, type Explanation, explainRequest } from './explain.ts'
export { explain } from './explain-snapshot.ts'
export {
  ingressGatewayNode,
  type ProxyNode,
  proxyNodeFor,
  proxyNodes,
  sidecarNodeFor,
  syntheticSidecar,
} from './node.ts'
