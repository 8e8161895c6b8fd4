/** The names the Angel front-end issues its tokens under (`NativeSessions`): the JWT, the refresh and the feed token. */
export const ANGEL = "angel";
export const ANGEL_REFRESH = `${ANGEL}-refresh`;
export const ANGEL_FEED = `${ANGEL}-feed`;
