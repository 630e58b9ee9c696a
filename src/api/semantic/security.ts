/** @module api/semantic/security — Istio's checks for AuthorizationPolicy and the legacy authentication Policy. */
import { checkLabels, type Findings, has, list, type Obj, obj, str } from './common.ts'

/** Checks an AuthorizationPolicy spec. */
export function checkAuthorizationPolicy(f: Findings, spec: Obj): void {
  const action = str(spec.action) ?? 'ALLOW'
  const provider = obj(spec.provider)
  if (action === 'CUSTOM') {
    if (!has(spec, 'rules')) {
      f.error(
        ['spec'],
        'CUSTOM action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request',
      )
    } else if ((str(provider?.name) ?? '') === '') {
      f.error(['spec', 'provider', 'name'], '`provider.name` must not be empty')
    }
  } else if (provider) {
    f.error(['spec', 'provider'], `provider is only allowed with the CUSTOM action, not ${action}`)
  }
  checkLabels(f, ['spec', 'selector', 'matchLabels'], obj(spec.selector)?.matchLabels)
  list(spec.rules).forEach((r, i) => {
    const rule = obj(r)
    if (!rule) return
    list(rule.when).forEach((w, j) => {
      const cond = obj(w)
      if (!cond) return
      if ((str(cond.key) ?? '') === '')
        f.error(['spec', 'rules', i, 'when', j, 'key'], 'condition key cannot be empty')
      if (!has(cond, 'values') && !has(cond, 'notValues')) {
        f.error(
          ['spec', 'rules', i, 'when', j],
          `condition ${str(cond.key) ?? ''} must set at least one of values or notValues`,
        )
      }
    })
  })
}

const LEGACY_MTLS_MODES = new Set(['STRICT', 'PERMISSIVE', ''])

/**
 * Checks the pre-1.6 `authentication.istio.io/v1alpha1` Policy lightly: `peers[].mtls.mode` must be
 * STRICT, PERMISSIVE or empty (Weir translates the policy to a PeerAuthentication).
 */
export function checkLegacyPolicy(f: Findings, spec: Obj): void {
  list(spec.peers).forEach((p, i) => {
    const peer = obj(p)
    if (!peer) return
    const mtls = peer.mtls
    if (mtls === undefined || mtls === null) return
    const m = obj(mtls)
    if (!m) {
      f.error(['spec', 'peers', i, 'mtls'], 'peers[].mtls must be an object')
      return
    }
    const mode = m.mode ?? ''
    if (typeof mode !== 'string' || !LEGACY_MTLS_MODES.has(mode)) {
      f.error(
        ['spec', 'peers', i, 'mtls', 'mode'],
        `unsupported mTLS mode ${JSON.stringify(mode)}: must be STRICT or PERMISSIVE`,
      )
    }
  })
}
