package main

import (
	"encoding/hex"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/coldtss/coldtss/ceremony"
	"github.com/coldtss/coldtss/ceremony/keys"
	"github.com/coldtss/coldtss/chains/bitcoin"
	"github.com/coldtss/coldtss/chains/ethereum"
	"github.com/coldtss/coldtss/chains/payload"
	"github.com/coldtss/coldtss/internal/atomicfile"
	"github.com/coldtss/coldtss/internal/bip32"
	"github.com/coldtss/coldtss/internal/cliutil"
	"github.com/coldtss/coldtss/qr/files"
	"github.com/coldtss/coldtss/qr/qrio"
	"github.com/coldtss/coldtss/qr/urtypes"
)

// Commands that show what a key looks like to wallets: addresses,
// descriptors, and a review of a transaction before anyone plans to sign it.

var (
	keyFlag  = &cli.StringFlag{Name: "key", Usage: "key id, as shown by coldtss keys list", Required: true}
	typeFlag = &cli.StringFlag{Name: "type", Value: string(bitcoin.P2WPKH), Usage: "Bitcoin script type: p2wpkh, p2sh-p2wpkh or p2pkh"}
)

// bitcoinAccount builds the watch-only view of a key from its public record.
func bitcoinAccount(c *cli.Context) (keys.Record, bitcoin.Account, error) {
	info, err := home(c).Key(c.String("key"))
	if err != nil {
		return info, bitcoin.Account{}, err
	}
	pub, cc, err := info.Secp256k1("Bitcoin needs")
	if err != nil {
		return info, bitcoin.Account{}, err
	}
	name := c.String("network")
	if name == "" {
		name = "mainnet"
	}
	net, err := bitcoin.NetworkParams(name)
	if err != nil {
		return info, bitcoin.Account{}, usageError{Err: fmt.Errorf("--network: %v", err)}
	}
	t, err := bitcoin.ParseScriptType(c.String("type"))
	if err != nil {
		return info, bitcoin.Account{}, usageError{Err: fmt.Errorf("--type: %v", err)}
	}
	acct, err := bitcoin.NewAccount(pub, cc, net, t)
	return info, acct, err
}

func addressCommand() *cli.Command {
	return &cli.Command{
		Name:  "address",
		Usage: "show receive (or change) addresses of a key, for Bitcoin or Ethereum",
		Description: `Addresses are derived from the key's public data alone; no passphrase is needed.
Bitcoin addresses are at m/0/INDEX (receive) or m/1/INDEX (--change), the same
as the descriptors from "coldtss export descriptor". Ethereum addresses are at
m/0/INDEX. Read the address aloud on two stations before sharing it.`,
		Flags: []cli.Flag{
			homeFlag, keyFlag, jsonFlag, typeFlag,
			&cli.StringFlag{Name: "chain", Value: "bitcoin", Usage: "bitcoin or ethereum"},
			&cli.StringFlag{Name: "network", Value: "mainnet", Usage: "Bitcoin network: mainnet, testnet, signet or regtest"},
			&cli.UintFlag{Name: "index", Usage: "first address index"},
			&cli.UintFlag{Name: "count", Value: 1, Usage: "how many addresses to show"},
			&cli.BoolFlag{Name: "change", Usage: "Bitcoin: change addresses (m/1/INDEX) instead of receive addresses"},
		},
		Action: func(c *cli.Context) error {
			type row struct {
				Path    string `json:"path"`
				Address string `json:"address"`
			}
			var rows []row
			first, count := uint32(c.Uint("index")), uint32(c.Uint("count"))
			if count == 0 || count > 1000 {
				return usageError{Err: fmt.Errorf("--count must be from 1 to 1000")}
			}
			if uint64(first)+uint64(count) > 1<<31 {
				return usageError{Err: fmt.Errorf("--index %d is past the last non-hardened index 2147483647", first)}
			}
			switch c.String("chain") {
			case "bitcoin":
				_, acct, err := bitcoinAccount(c)
				if err != nil {
					return err
				}
				branch := uint32(0)
				if c.Bool("change") {
					branch = 1
				}
				for i := first; i < first+count; i++ {
					a, err := acct.Address(branch, i)
					if err != nil {
						return err
					}
					rows = append(rows, row{bip32.FormatPath([]uint32{branch, i}), a.EncodeAddress()})
				}
			case "ethereum":
				info, err := home(c).Key(c.String("key"))
				if err != nil {
					return err
				}
				pub, cc, err := info.Secp256k1("Ethereum needs")
				if err != nil {
					return err
				}
				for i := first; i < first+count; i++ {
					path := fmt.Sprintf("m/0/%d", i)
					child, err := ethereum.DeriveKey(pub, cc, path)
					if err != nil {
						return err
					}
					a, err := ethereum.AddressOf(child)
					if err != nil {
						return err
					}
					rows = append(rows, row{path, a.Hex()})
				}
			default:
				return usageError{Err: fmt.Errorf("--chain %q: use bitcoin or ethereum", c.String("chain"))}
			}
			if c.Bool("json") {
				return cliutil.PrintJSON(rows)
			}
			for _, r := range rows {
				fmt.Printf("%-12s %s\n", r.Path, r.Address)
			}
			return nil
		},
	}
}

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "export a key for watch-only wallets",
		Subcommands: []*cli.Command{{
			Name:  "descriptor",
			Usage: "print the key's output descriptors (receive and change) for Sparrow, Bitcoin Core or any watch-only wallet",
			Description: `Prints two descriptors with their BIP380 checksums: receive (/0/*) and change
(/1/*). The key is a BIP32 master key made jointly by the stations; its
fingerprint is the origin in brackets. Import both into a watch-only wallet to
see balances and build PSBTs; the wallet never holds anything secret.`,
			Flags: []cli.Flag{
				homeFlag, keyFlag, jsonFlag, typeFlag,
				&cli.StringFlag{Name: "network", Value: "mainnet", Usage: "mainnet, testnet, signet or regtest"},
			},
			Action: func(c *cli.Context) error {
				info, acct, err := bitcoinAccount(c)
				if err != nil {
					return err
				}
				fp := acct.Fingerprint()
				out := struct {
					Key         string `json:"key"`
					Network     string `json:"network"`
					Type        string `json:"type"`
					Fingerprint string `json:"fingerprint"`
					XPub        string `json:"xpub"`
					Receive     string `json:"receive"`
					Change      string `json:"change"`
				}{info.ID, bitcoin.NetworkName(acct.Net), string(acct.Type), hex.EncodeToString(fp[:]), acct.XPub(), acct.Descriptor(0), acct.Descriptor(1)}
				if c.Bool("json") {
					return cliutil.PrintJSON(out)
				}
				fmt.Printf("Key %s, %s, %s, fingerprint %s\n\n", out.Key, out.Network, out.Type, out.Fingerprint)
				fmt.Printf("Receive: %s\nChange:  %s\n\n", out.Receive, out.Change)
				fmt.Println("Bitcoin Core (a blank watch-only wallet: bitcoin-cli createwallet NAME true true):")
				fmt.Printf("  bitcoin-cli -rpcwallet=NAME importdescriptors '[{\"desc\":\"%s\",\"timestamp\":\"now\",\"active\":true,\"internal\":false},{\"desc\":\"%s\",\"timestamp\":\"now\",\"active\":true,\"internal\":true}]'\n", out.Receive, out.Change)
				fmt.Println("Sparrow: make a new wallet and import the receive descriptor as an output descriptor.")
				fmt.Println("Before using the wallet, compare its first address with `coldtss address` on two stations.")
				return nil
			},
		},
			urExportCommand("crypto-output", "print the key's receive descriptor as a ur:crypto-output (BCR-2020-010) for Sparrow and other UR wallets",
				`The output is [fingerprint]xpub/0/* in the script type of --type, the same
as the receive descriptor of "coldtss export descriptor".`,
				func(c *cli.Context, k files.Key) (urtypes.Value, error) {
					_, acct, err := bitcoinAccount(c)
					if err != nil {
						return nil, err
					}
					return files.CryptoOutput(k, acct.Net, acct.Type)
				}, typeFlag, networkFlag()),
			urExportCommand("crypto-account", "print the key as a ur:crypto-account (BCR-2020-015) for Sparrow and other UR wallets",
				`The account holds the key's master fingerprint and one output per script
type (p2wpkh, p2sh-p2wpkh, p2pkh), each the key itself at depth 0: wallets
derive receive (/0/*) and change (/1/*) addresses below it.`,
				func(c *cli.Context, k files.Key) (urtypes.Value, error) {
					_, acct, err := bitcoinAccount(c)
					if err != nil {
						return nil, err
					}
					return files.CryptoAccount(k, acct.Net, []bitcoin.ScriptType{bitcoin.P2WPKH, bitcoin.P2SHP2WPKH, bitcoin.P2PKH})
				}, networkFlag()),
			urExportCommand("crypto-hdkey", "print the key as a ur:crypto-hdkey that pairs MetaMask (Connect a QR-based hardware wallet) and other EIP-4527 wallets",
				`The hdkey is the key's child m/0 with origin [fingerprint]m/0 and children *:
the wallet's accounts are then m/0/0, m/0/1, ..., the addresses of "coldtss
address --chain ethereum". Compare the first one on two stations before use.
The wallet's signing requests come back with "coldtss qr scan --key".`,
				func(c *cli.Context, k files.Key) (urtypes.Value, error) { return files.CryptoHDKey(k) }),
		},
	}
}

func networkFlag() cli.Flag {
	return &cli.StringFlag{Name: "network", Value: "mainnet", Usage: "mainnet, testnet, signet or regtest"}
}

// walletKey is the key of --key as wallets see it.
func walletKey(c *cli.Context) (files.Key, error) {
	info, err := home(c).Key(c.String("key"))
	if err != nil {
		return files.Key{}, err
	}
	pub, cc, err := info.Secp256k1("wallets need")
	if err != nil {
		return files.Key{}, err
	}
	return files.Key{PublicKey: pub, ChainCode: cc, Name: "coldtss " + info.ID}, nil
}

// urExportCommand shows one wallet export: as UR text, or as a QR code
// (--as terminal|png|gif|html) for the wallet to scan off the screen.
func urExportCommand(name, usage, desc string, build func(*cli.Context, files.Key) (urtypes.Value, error), extra ...cli.Flag) *cli.Command {
	return &cli.Command{
		Name:  name,
		Usage: usage,
		Description: desc + `

The UR is printed as text (the default); --as terminal shows it as a QR code
on the terminal until Ctrl-C, --as png, gif or html --out FILE writes it as a
picture or an offline page. --preset sizes the code; an export larger than one
code of the preset is shown as an animated UR.`,
		Flags: append(append([]cli.Flag{homeFlag, keyFlag, &cli.BoolFlag{Name: "ur", Value: true, Usage: "print the UR text (the default --as text)"}}, qrio.ShowFlags()...), extra...),
		Action: func(c *cli.Context) error {
			o := qrio.ShowFlagValues(c)
			p, err := o.Check()
			if err != nil {
				return usageError{Err: err}
			}
			k, err := walletKey(c)
			if err != nil {
				return err
			}
			v, err := build(c, k)
			if err != nil {
				return err
			}
			if o.As == qrio.AsText || o.As == "" {
				s, err := urtypes.EncodeUR(v)
				if err != nil {
					return err
				}
				if o.Out == "" {
					fmt.Println(s)
					return nil
				}
				return atomicfile.WriteNew(o.Out, []byte(s+"\n"), 0o644)
			}
			s, err := files.EncodeValue(v, p.Fragment)
			if err != nil {
				return err
			}
			return qrio.Show(c.Context, s, o, qrio.Stdio())
		},
	}
}

func reviewCommand() *cli.Command {
	return &cli.Command{
		Name:      "review",
		Usage:     "show a PSBT or an Ethereum signing request in human terms, and check it against this station's policy",
		ArgsUsage: "FILE",
		Description: `FILE is a PSBT (binary or base64) or an Ethereum request (coldtss-eth-request/1
JSON, as written by coldtss-online eth prepare). Nothing is signed. The same
review runs on every station when it joins a signing ceremony.`,
		Flags: append([]cli.Flag{homeFlag, keyFlag}, policyFlags()...),
		Action: func(c *cli.Context) error {
			if c.Args().Len() != 1 {
				return usageError{Err: fmt.Errorf("give one file to review")}
			}
			info, err := home(c).Key(c.String("key"))
			if err != nil {
				return err
			}
			file := c.Args().First()
			raw, err := readInput(file)
			if err != nil {
				return err
			}
			var p *ceremony.Payload
			if payload.LooksLikeEthRequest(raw) {
				p, err = loadPayload(c, "", file)
			} else {
				p, err = loadPayload(c, file, "")
			}
			if err != nil {
				return err
			}
			rv, err := reviewPayload(c, info, p)
			if err != nil {
				return fmt.Errorf("%s: %v", file, err)
			}
			rv.Print(os.Stdout)
			return nil
		},
	}
}
