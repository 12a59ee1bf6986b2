import { register } from "../i18n";

register({
  "login.title": { ko: "로그인", en: "Sign in" },
  "login.username": { ko: "아이디", en: "Username" },
  "login.password": { ko: "비밀번호", en: "Password" },
  "login.submit": { ko: "로그인", en: "Sign in" },
  "login.passkey": { ko: "패스키로 로그인", en: "Sign in with a passkey" },
  "login.failed": { ko: "아이디 또는 비밀번호가 틀렸습니다", en: "Wrong username or password" },
  "login.passkeyFailed": { ko: "패스키 로그인에 실패했습니다", en: "Passkey sign-in failed" },
  "login.required": { ko: "필수 항목입니다", en: "Required" },
});
