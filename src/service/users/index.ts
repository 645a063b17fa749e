/** Users, groups and API tokens; passwords hashed with scrypt, tokens stored only as hashes. */
export {
  createUserService,
  DEFAULT_ADMIN,
  type Group,
  type TokenInfo,
  type User,
  type UserService,
  type UserServiceOptions,
} from './service.ts';
