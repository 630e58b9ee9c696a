/** @module samples/flask-backend/data — the backend's fixed books and users. */

/** A book of `/api/v1/resources/books/all`. */
export interface Book {
  id: number
  title: string
  author: string
  first_sentence: string
  year_published: string
}

/** A user (with car) of `/api/v1/resources/users/all`. */
export interface User {
  id: number
  name: string
  car: string
  color: string
  bought: string
}

/** The three books. */
export const BOOKS: readonly Book[] = [
  {
    id: 0,
    title: 'A Fire Upon the Deep',
    author: 'Vernor Vinge',
    first_sentence: 'The coldsleep itself was dreamless.',
    year_published: '1992',
  },
  {
    id: 1,
    title: 'The Ones Who Walk Away From Omelas',
    author: 'Ursula K. Le Guin',
    first_sentence:
      'With a clamor of bells that set the swallows soaring, the Festival of Summer came to the city Omelas, bright-towered by the sea.',
    year_published: '1973',
  },
  {
    id: 2,
    title: 'Dhalgren',
    author: 'Samuel R. Delany',
    first_sentence: 'to wound the autumnal city.',
    year_published: '1975',
  },
]

/** The three users. */
export const USERS: readonly User[] = [
  { id: 0, name: 'Arun', car: 'Audi', color: 'Blue', bought: '2021' },
  { id: 1, name: 'Tipsy', car: 'BMW', color: 'Red', bought: '2022' },
  { id: 2, name: 'Sam', car: 'Merc', color: 'Blue', bought: '2030' },
]
