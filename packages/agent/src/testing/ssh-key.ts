import ssh2 from "ssh2";

/**
 * An ed25519 key pair for tests that ssh2 reads back: its generator writes a private key its
 * own parser calls malformed about once in 250 times.
 */
export function testKeyPair(comment = ""): { private: string; public: string } {
  for (let i = 0; i < 20; i++) {
    const k = ssh2.utils.generateKeyPairSync("ed25519", { comment });
    if (
      !(ssh2.utils.parseKey(k.private) instanceof Error) &&
      !(ssh2.utils.parseKey(k.public) instanceof Error)
    )
      return k;
  }
  throw new Error("could not generate an SSH key that ssh2 reads back");
}
