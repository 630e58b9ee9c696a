/**
 * @module samples/flask-backend/main — stand-in for `singharunk/flaskbackend` (Flask, port 6000):
 * `/api/v1/resources/books/all`, `/api/v1/resources/users/all` and `/api/v1/resources/books?id=N`.
 */
import { FLASK_404, jsonify } from '../lib/flask.ts'
import { listenPort, send, serve } from '../lib/serve.ts'
import { BOOKS, USERS } from './data.ts'

serve(
  'flaskbackend',
  (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    switch (url.pathname) {
      case '/':
        send(
          res,
          200,
          '<h1>Distant Reading Archive</h1><p>A prototype API for distant reading of science fiction novels.</p>',
          'text/html; charset=utf-8',
        )
        return
      case '/api/v1/resources/books/all':
        send(res, 200, jsonify(BOOKS), 'application/json')
        return
      case '/api/v1/resources/users/all':
        send(res, 200, jsonify(USERS), 'application/json')
        return
      case '/api/v1/resources/books': {
        const id = url.searchParams.get('id')
        if (id === null) {
          send(res, 200, 'Error: No id field provided. Please specify an id.', 'text/html; charset=utf-8')
          return
        }
        send(res, 200, jsonify(BOOKS.filter((b) => String(b.id) === id)), 'application/json')
        return
      }
      default:
        send(res, 404, FLASK_404, 'text/html; charset=utf-8')
    }
  },
  listenPort(6000),
)
