// test/unit/crypto/key_vectors.hpp — public key, private key and signature
// vectors shared by the crypto tests (hex).
//
// Sources:
//  * kSpec*: libp2p/specs peer-ids/peer-ids.md §Test vectors (= specs.md §2).
//  * kGo*: go-libp2p core/crypto/test_data/{0,2,3}.{pub,priv,sig}
//    (fixture_test.go; message kGoMessage; RSA and secp256k1 signatures are
//    deterministic there).
//  * kSpec*Sig: signatures over kGoMessage made at test-writing time with the
//    openssl 3.0 CLI from the spec's private keys (`openssl dgst -sha256 -sign`);
//    the public keys openssl derives from those private keys equal the spec's.
#pragma once

namespace keyvec {

inline constexpr const char* kGoMessage = "Libp2p is the _best_!";

inline constexpr const char* kSpecEd25519Pub =
    "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
inline constexpr const char* kSpecEd25519Priv =
    "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d1ed1e8fae2c4a144b8"
    "be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
inline constexpr const char* kSpecSecp256k1Pub =
    "08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99";
inline constexpr const char* kSpecSecp256k1Priv =
    "0802122053DADF1D5A164D6B4ACDB15E24AA4C5B1D3461BDBD42ABEDB0A4404D56CED8FB";
// The same point, uncompressed (SEC 1 04 || x || y; y is odd).
inline constexpr const char* kSpecSecp256k1Uncompressed =
    "047777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca991b41b30efa52b659e9db235c"
    "31f9975578a17e2b356a6b84837b5b45c555cfb1";
inline constexpr const char* kSpecEcdsaPub =
    "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004de3d300fa36ae0e8f5d530899d83"
    "abab44abf3161f162a4bc901d8e6ecda020e8b6d5f8da30525e71d6851510c098e5c47c646a597fb4dcec034e9"
    "f77c409e62";
inline constexpr const char* kSpecEcdsaPriv =
    "08031279307702010104203E5B1FE9712E6C314942A750BD67485DE3C1EFE85B1BFB520AE8F9AE3DFA4A4CA00A"
    "06082A8648CE3D030107A14403420004DE3D300FA36AE0E8F5D530899D83ABAB44ABF3161F162A4BC901D8E6EC"
    "DA020E8B6D5F8DA30525E71D6851510C098E5C47C646A597FB4DCEC034E9F77C409E62";
// 4096-bit RSA.
inline constexpr const char* kSpecRsaPub =
    "080012a60430820222300d06092a864886f70d01010105000382020f003082020a0282020100e1beab071d0820"
    "0bde24eef00d049449b07770ff9910257b2d7d5dda242ce8f0e2f12e1af4b32d9efd2c090f66b0f29986dbb645"
    "dae9880089704a94e5066d594162ae6ee8892e6ec70701db0a6c445c04778eb3de1293aa1a23c3825b85c6620a"
    "2bc3f82f9b0c309bc0ab3aeb1873282bebd3da03c33e76c21e9beb172fd44c9e43be32e2c99827033cf8d0f0c6"
    "06f4579326c930eb4e854395ad941256542c793902185153c474bed109d6ff5141ebf9cd256cf58893a37f8372"
    "9f97e7cb435ec679d2e33901d27bb35aa0d7e20561da08885ef0abbf8e2fb48d6a5487047a9ecb1ad41fa7ed84"
    "f6e3e8ecd5d98b3982d2a901b4454991766da295ab78822add5612a2df83bcee814cf50973e80d7ef38111b1bd"
    "87da2ae92438a2c8cbcc70b31ee319939a3b9c761dbc13b5c086d6b64bf7ae7dacc14622375d92a8ff9af7eb96"
    "2162bbddebf90acb32adb5e4e4029f1c96019949ecfbfeffd7ac1e3fbcc6b6168c34be3d5a2e5999fcbb39bba7"
    "adbca78eab09b9bc39f7fa4b93411f4cc175e70c0a083e96bfaefb04a9580b4753c1738a6a760ae1afd851a1a4"
    "bdad231cf56e9284d832483df215a46c1c21bdf0c6cfe951c18f1ee4078c79c13d63edb6e14feaeffabc90ad31"
    "7e4875fe648101b0864097e998f0ca3025ef9638cd2b0caecd3770ab54a1d9c6ca959b0f5dcbc90caeefc4135b"
    "aca6fd475224269bbe1b0203010001";
// The first bytes of the spec's 4096-bit RSA PrivateKey proto (type and the
// Data length of 2350 bytes): enough to be named, and truncated.
inline constexpr const char* kSpecRsaPrivHead = "080012ae123082092a0201000282020100e1beab071d08";

inline constexpr const char* kSpecRsaSig =
    "3ea72f3bfc88b4f85d600bb2d467053faac811e4272293369290def3bef1b32b8b5814bac3d5bcdb27983dea52"
    "eb050e359aa47b50e7f26f6e1ad52697dd0ce39b05ddd19c6ac4bafdde11693fb4e6b8b52288c4fc17d141a78d"
    "3159b6094c75af0471681406f778897ea62638688d52da90c0be3dc86c0cc10dacfd4d1a78b6dead202c18fe72"
    "664341f780a61d2adfc4400c2b1e78c08fdedf2a2c393573b7f2550d570d3d5fe4bbcfd099ed4e2ba8e555ee80"
    "4c5aad3fce76cb42b25339c4fd12c4d711e7a9e2b7b7a3a8a2e10127a70b92e66f74fbcb41d2956974e25f7cf9"
    "e528ca625201b4b1a0b09b33ed81c1dd364373efc25217b697181fda1e6f903260387ddd700fe9219ffa08694b"
    "200e3f6d1df7ae54ef3e3f9b50ae3b71e2863b0734a15f9c9b4c815dbc74f60c9e006a7e18fefe33a58c50940f"
    "c0157df4df85486b8bc5a8f1b84cd0ecd105ddad5111b79de8252a19090b782849f7e1970bbb495910ee3eb2f7"
    "ce46c3d570c04bb0e0882643a5d241cbda1ebd16a0a7d26636ed04f18cc271db0e371caa79bea393c687124f22"
    "13c8ab43b0dc4b0492a5db4040281db8f5efed76bd9621fe2dfe186bf202d93740563c79bcbdd8e6902ca03c08"
    "7b0c86ae36373657e334c943c03927975620363140acbaf5a95f959158e2a85b615fd82251df0f5b7cc9e75fd3"
    "928d1987f003e74407cfb6b724122e3a81";
inline constexpr const char* kSpecEcdsaSig =
    "30440220356758a07a2ce46681204150fc05822ffb63ef6ad0f01c3b26e21d52d9f9aab6022000cb4b7a059464"
    "5cc9187de163fdbc775c556accbf75fb002d024e42ce77e951";
inline constexpr const char* kSpecSecp256k1Sig =
    "304402204472ef4a60ffc840a9c768e0888dca69ec543e03659181597481859dbcca0f2e02202542d45dfdac51"
    "0d726ed8b562a9a03b0ff787207c2fd43d5fc878298ded28cd";

// go-libp2p core/crypto/test_data: 0 = RSA (2048-bit), 2 = secp256k1, 3 = ECDSA.
inline constexpr const char* kGoRsaPub =
    "080012a60230820122300d06092a864886f70d01010105000382010f003082010a0282010100f2b75b418c28ed"
    "7aabfe17e90dfb93c13f2ec6381d072f862fb75808b96d227eef2083d31f4a78069f85ad6a8c73896ea385a386"
    "430d1cc09a90a230f00911515c5538c4b62d897fc665df1150456aec75cdb2310c88f2079c82f56a79375c79e4"
    "f840f0eb15213f1972d6a248d684453ce5d3e3ec091f38c2f95c3ab5a1dfb603a9f955ebd9a75814ec5b725bb8"
    "882b047dbbae000ad88a5236596ad800c4ccfae3c74d69f8c665741d47972213dd4fdc83d39bab7ccce49f65e2"
    "dee7c76cd79c3500aafe7207ad41d843d89ac11e6653b872dfb2c5d790ec4eb6d954aa6e14a55463659edf0a25"
    "13c0aad9b8349f259a9b605b3d71dec43b69ee6be851a7530203010001";
inline constexpr const char* kGoRsaSig =
    "6e111325f710ad394633cfd37e467e18c5137fb63d182c9b8ea34386727c833160dc010dee126ee2baf33515ff"
    "598730fbc3d3816ec5dbc626f8b17208432620f7915fbe1b6e5ace206d3fb98c3f93dab0e8c19f0c1592ed2c8a"
    "354bccd3c0d6de54747dc5e4fc234b87f7f4e0a63c7b6512ca3ca6a5a588e8639ee1820f2150fdb4bb00215e50"
    "b3227f4d1d21be8ea1e8c80eb3192749ad8cd5dc9bd2b3184015a06b8d6ffb6e0726aaa4aa7d3e7102c69a07f7"
    "340332bad47fdcfee22ba25c28233344436aba3e92c0276dcce8f2e56c44b66857591ce815d87db6e87b2b74b9"
    "4812a95e85b6eeab706434d8b0687fa717594cd6a5a82024a15d1a0aedebfe";
inline constexpr const char* kGoSecp256k1Pub =
    "08021221023540ad842af8a43551a94d8383a555a99226506b88f953d2e70316a3a1b3d6a2";
inline constexpr const char* kGoSecp256k1Priv =
    "080212203141bd606a504c44f23494d8f3174ef25b1fb9b52daa07d058be83b6e046b158";
inline constexpr const char* kGoSecp256k1Sig =
    "3044022031a7d633c2f3e45a16128d43751afaa8dc9ba24092c5f5b3cad2c8fe4cf388f2022049ea8d219f4586"
    "83d24775d543ea8fb290704347fb35493c403bc2c259b29d9e";
inline constexpr const char* kGoEcdsaPub =
    "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004e29a8674f3614e0ccb72406bfe21"
    "37e9f8c5f7d62d137f0a2edd233e35374777fd1f9aed4d2cfa7371caafc6ef02db83b81f77cfe1bcd8c715acf0"
    "b9a2778ea9";
inline constexpr const char* kGoEcdsaSig =
    "3046022100846a6685b9e72b560cb2fc4a75f9cbc38a90aaeaa7f3f25ee719832db7b93a65022100cd992bb7bd"
    "2bcc28c7db04987d10adc490fe348270954f7696cb0dffff0dfc3d";

// Made with the openssl CLI for the refusal tests (public keys only).
inline constexpr const char* kP384Spki =
    "3076301006072a8648ce3d020106052b8104002203620004f1144ebe0f01a6ed06e5b1a3796affdbd0767442ee"
    "b6d7ee8c5f6f79305d2eab5418c79839b19db916e6c999fd2f5d2ff1c98674cbd80670417a2dd3b249a2b900d8"
    "8eea9bf0581c38d8e7eadaa3207dc8569e89c0c2da7b12b07f0265be4085";
// The spec ECDSA key with its point compressed (-conv_form compressed).
inline constexpr const char* kP256CompressedSpki =
    "3039301306072a8648ce3d020106082a8648ce3d03010703220002de3d300fa36ae0e8f5d530899d83abab44ab"
    "f3161f162a4bc901d8e6ecda020e";
inline constexpr const char* kRsaPssSpki =
    "30820120300b06092a864886f70d01010a0382010f003082010a02820101009fc6af46bdade67248f4d8a6b774"
    "c920d15d82d7b38e2f3647753687cf6dc9fb342930e10465c78e2e2e964f8a7bbe350943b188645f31a9fe6aa1"
    "db87af2160507aea20bb47a606fd776ac97010ca2a4fb9289d1bc1f7572ea319c15c0dfe73e677f56d1498c098"
    "fa5330dd69503b57ed9ca081f8a750016a17b5efa585d26e4a53ba05b62e1eab54ff6d3914ab46ed9a2c11f9dc"
    "91d779bf97aad8b5b5e3993496470f25636b0520f9e81d2ff0e191c94db35a6d47d37d28ae0ebd1efbb3338171"
    "9b1c01000ddd91e1632d5cea0fcb80595bdaac2993e9240c386b1d8422fec86f07b98711bf654729e39db0551e"
    "e5b50b56803b0ecca0f97f31e91fa6719b0203010001";
inline constexpr const char* kEd25519Spki =
    "302a300506032b6570032100a1cb45e203a4b25fa0647bf86e16ee2fa35bf638d8b198107daefaf9c9980af6";
inline constexpr const char* kRsa1024Spki =
    "30819f300d06092a864886f70d010101050003818d0030818902818100cf430c8a5bb653dd32884b5bfefa766b"
    "bab44d18a45f364ac90de5d0e7f5bb97b6eefce88421b9377e6a1a84e72cce5efe66701e772d2545dbaf1283e7"
    "f9037bdef2d8da46d6ea057ec41aa22b65f6b6d84a67a473cf4402f03f689194a13dc96a42ffac6bad9b4b6920"
    "58053c3fcca627fcefe2e6f50ec6df07efd773eb9a990203010001";

}  // namespace keyvec
