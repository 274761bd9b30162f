/** RFC 5802's saslname: "," and "=" in a user name travel as "=2C" and "=3D". */
export function encodeSaslName(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}
