#!/bin/bash
# The native builder's warm raw build, written as a plain shell script: the baseline raw-build.bench.ts
# compares the builder against. Same steps, same tools, same order: extract the cached base root, configure
# it, run the %post in bubblewrap, make the ext4 root, assemble the GPT disk with GRUB for BIOS and UEFI,
# write the package list and SHA256SUMS.
# Each part starts with a `phase STEP SECONDS` line on stderr, named as the builder's steps, so the bench can
# set the two side by side.
# usage: raw-build-steps.sh BASE_TARBALL WORK_DIR OUT_DIR NAME [ROOT_MIB]
# ROOT_MIB: the root filesystem's size when the kickstart fixes it (`part / --size=N` without --grow), as the
# builder makes it; else it is sized from its content.
set -euo pipefail
TARBALL=$1; WORK=$2; OUT=$3; NAME=$4; ROOT_MIB=${5:-}
ROOT=$WORK/root
phase() { echo "phase $1 $EPOCHREALTIME" >&2; }
phase bootstrap
mkdir -p "$ROOT" "$OUT"
tar --numeric-owner --xattrs --xattrs-include='*' --acls -I 'zstd -T0' -C "$ROOT" -xf "$TARBALL"

inroot() { bwrap --bind "$ROOT" / --unshare-ipc --unshare-pid --unshare-uts --unshare-net --die-with-parent \
  --new-session --proc /proc --dev /dev --ro-bind /sys /sys --tmpfs /tmp "$@"; }
phase configure
echo imgtest > "$ROOT/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 imgtest\n' > "$ROOT/etc/hosts"
# The template's `lang en_US.UTF-8`: the locale is generated, as the builder does.
echo LANG=en_US.UTF-8 > "$ROOT/etc/default/locale"
echo 'en_US.UTF-8 UTF-8' > "$ROOT/etc/locale.gen"
inroot locale-gen > /dev/null
ln -sf /usr/share/zoneinfo/Etc/UTC "$ROOT/etc/localtime"; echo UTC > "$ROOT/etc/timezone"
inroot useradd -m -s /bin/bash -G sudo demo
echo 'demo:demopw' | inroot chpasswd
echo 'root:rootpw' | inroot chpasswd
mkdir -p "$ROOT/etc/systemd/network"
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n' > "$ROOT/etc/systemd/network/20-wired.network"
inroot systemctl enable systemd-networkd.service serial-getty@ttyS0.service >/dev/null 2>&1
ROOT_UUID=$(cat /proc/sys/kernel/random/uuid)
ESP_SERIAL=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ' | tr a-f A-F); ESP_UUID=${ESP_SERIAL:0:4}-${ESP_SERIAL:4:4}
printf 'UUID=%s / ext4 defaults,errors=remount-ro 0 1\nUUID=%s /boot/efi vfat umask=0077 0 1\n' "$ROOT_UUID" "$ESP_UUID" > "$ROOT/etc/fstab"
phase scripts
echo 'echo "IMG-MARKER name=$IMG_NAME" > /etc/img-marker' > "$WORK/post.sh"
inroot --ro-bind "$WORK/post.sh" /tmp/post.sh --setenv IMG_NAME "$NAME" /bin/sh /tmp/post.sh

phase packages
dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f '${db:Status-Status} ${Package} ${Version}\n' \
  | sed -n 's/^installed //p' | sort > "$OUT/$NAME.packages"
KVER=$(ls "$ROOT/boot" | sed -n 's/^vmlinuz-//p' | sort -V | tail -1)
phase filesystem
USED=$(du -s --block-size=1M -x "$ROOT" | cut -f1)
truncate -s "${ROOT_MIB:-$((USED * 14 / 10 + 256))}M" "$WORK/root.img"
mkfs.ext4 -q -F -L imgroot -U "$ROOT_UUID" -E root_owner=0:0 -d "$ROOT" "$WORK/root.img"

phase disk
mkdir -p "$WORK/esp/EFI/BOOT" "$WORK/esp/boot/grub"
printf 'search --no-floppy --fs-uuid --set=root %s\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n' "$ESP_UUID" > "$WORK/early.cfg"
printf 'serial --unit=0 --speed=115200\nterminal_input serial console\nterminal_output serial console\nset timeout=1\nsearch --no-floppy --fs-uuid --set=root %s\nmenuentry Linux {\n  linux /boot/vmlinuz-%s root=UUID=%s rw console=tty0 console=ttyS0,115200n8\n  initrd /boot/initrd.img-%s\n}\n' \
  "$ROOT_UUID" "$KVER" "$ROOT_UUID" "$KVER" > "$WORK/esp/boot/grub/grub.cfg"
MODS="part_gpt part_msdos fat ext2 btrfs xfs search search_fs_uuid search_label normal linux configfile echo test gzio zstd serial terminal boot ls cat"
grub-mkimage -O i386-pc -o "$WORK/core.img" -p /boot/grub -c "$WORK/early.cfg" biosdisk $MODS
grub-mkimage -O x86_64-efi -o "$WORK/esp/EFI/BOOT/BOOTX64.EFI" -p /boot/grub -c "$WORK/early.cfg" $MODS efi_gop all_video
truncate -s 64M "$WORK/esp.img"
mkfs.vfat -F 32 -n ESP -i "$ESP_SERIAL" "$WORK/esp.img" >/dev/null
mcopy -s -p -Q -i "$WORK/esp.img" "$WORK/esp/EFI" "$WORK/esp/boot" ::/

align() { echo $(( ($(stat -c %s "$1") / 512 + 2047) / 2048 * 2048 )); }
ESP_SECT=$(align "$WORK/esp.img"); ROOT_SECT=$(align "$WORK/root.img")
ESP_START=4096; ROOT_START=$((ESP_START + ESP_SECT)); TOTAL=$((ROOT_START + ROOT_SECT + 2048))
DISK=$OUT/$NAME-sda.raw
truncate -s $((TOTAL * 512)) "$DISK"
sfdisk -q "$DISK" <<SF
label: gpt
unit: sectors
first-lba: 2048
start=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649, name="bios-boot"
start=$ESP_START, size=$ESP_SECT, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="esp"
start=$ROOT_START, size=$ROOT_SECT, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="root"
SF
# grub-bios-setup by hand: boot.img's core.img LBA and drive check, core.img's block list.
le() { local v=$1 n=$2 out=''; for _ in $(seq "$n"); do out+=$(printf '\\x%02x' $((v & 255))); v=$((v >> 8)); done; printf "$out"; }
CORE_SECT=$(( ($(stat -c %s "$WORK/core.img") + 511) / 512 ))
cp /usr/lib/grub/i386-pc/boot.img "$WORK/boot.img"
le 2048 8 | dd of="$WORK/boot.img" bs=1 seek=$((0x5c)) conv=notrunc status=none
printf '\x90\x90' | dd of="$WORK/boot.img" bs=1 seek=$((0x66)) conv=notrunc status=none
{ le 2049 8; le $((CORE_SECT - 1)) 2; } | dd of="$WORK/core.img" bs=1 seek=$((0x200 - 12)) conv=notrunc status=none
dd if="$WORK/boot.img" of="$DISK" bs=440 count=1 conv=notrunc status=none
dd if="$WORK/core.img" of="$DISK" bs=512 seek=2048 conv=notrunc status=none
place() { qemu-img convert -n -f raw "$1" --target-image-opts "driver=raw,offset=$2,size=$(stat -c %s "$1"),file.filename=$DISK"; }
place "$WORK/esp.img" $((ESP_START * 512))
place "$WORK/root.img" $((ROOT_START * 512))
printf '<image><name>%s</name></image>\n' "$NAME" > "$OUT/$NAME.xml"
phase checksum
# openssl rather than sha256sum: the builder hashes with OpenSSL too (SHA instructions), so only the steps differ.
(cd "$OUT" && openssl dgst -sha256 -r "$NAME.packages" "$NAME-sda.raw" "$NAME.xml" | sed 's/ \*/  /' > SHA256SUMS)
rm -rf "$WORK"
phase end
