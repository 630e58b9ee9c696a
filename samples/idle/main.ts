/**
 * @module samples/idle/main — stand-in for client boxes (`tkubica/mybox`, `curlimages/curl`): does
 * nothing until stopped, like `tail -f /dev/null` or `sleep infinity`. Users run `curl` in it through exec.
 */
import { exitOnSignals } from '../lib/serve.ts'

const timer = setInterval(() => {}, 1 << 30)
exitOnSignals(() => clearInterval(timer))
process.stdout.write('idle: waiting (exec curl in this pod)\n')
