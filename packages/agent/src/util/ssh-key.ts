import ssh2 from "ssh2";

type Generate = (type: "ed25519", opts: { comment: string }) => { private: string; public: string };

/**
 * A new ed25519 key pair that ssh2 reads back. Its generator strips leading zero bytes of the
 * public key, so about one pair in 256 comes out malformed (mscdex/ssh2#1390); each is checked.
 * `generate` is ssh2's generator (replaced in tests).
 */
export function ed25519KeyPair(
  comment = "",
  generate: Generate = ssh2.utils.generateKeyPairSync,
): { private: string; public: string } {
  for (let i = 0; i < 20; i++) {
    const k = generate("ed25519", { comment });
    if (
      !(ssh2.utils.parseKey(k.private) instanceof Error) &&
      !(ssh2.utils.parseKey(k.public) instanceof Error)
    )
      return k;
  }
  throw new Error("could not generate an SSH key that ssh2 reads back");
}
